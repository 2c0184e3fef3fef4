// Package fundwatch is the fund early-warning model (基金使用预警): monthly fund spending per
// pooling region, provider kind and level, and provider, each month compared with a band drawn
// from the series' own preceding twelve months — the median and the median absolute deviation,
// which one outlier month cannot drag (Hampel's identifier; Hampel, "The influence curve and its
// role in robust estimation", JASA 69, 1974; Leys et al., "Detecting outliers: Do not use
// standard deviation around the mean, use absolute deviation around the median", JESP 49, 2013).
// A month outside its band is an alert that calls for investigation, not a finding.
//
// It reads the graph through a narrow scanner interface and knows nothing of HTTP or storage.
package fundwatch
