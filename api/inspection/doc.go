// Package inspection draws the on-site inspection sample of a special action (抽查) and the
// flying-inspection target list (飞行检查): at least 2/3 of the designated institutions and 1/3 of
// the designated pharmacies of every pooling region (DOMAIN.md, screening rules), stratified by
// level and ownership, weighted by detection risk, reproducible by seed.
//
// It is HTTP-free and storage-free: the caller passes the providers and their risk scores.
package inspection
