// Command rtload is a small closed-loop load generator for the RingTrace API: N concurrent
// clients each send one request, wait for the answer and send the next, for a fixed duration,
// then it prints throughput, the status mix and latency percentiles. It only talks to loopback
// addresses, as it is meant for benchmarks on the machine that runs the server.
//
// Usage:
//
//	rtload --url http://127.0.0.1:8080 --user bench --password … --ids ids.txt \
//	       --scenario entity|neighbourhood|mixed|ring --clients 100 --duration 30s
//
// ids.txt holds one "type:id" per line (e.g. "patient:530102…", or "ring:R12" for the ring
// scenario, which reads /api/rings/ID/subgraph in the --view picture); requests pick ids
// uniformly with a fixed seed so that runs are repeatable. Before a ring run, rtload reads each
// ring once and prints the response size per ring member.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rtload:", err)
		os.Exit(1)
	}
}

type result struct {
	lat    time.Duration
	status int
	bytes  int64
}

func run() error {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	user := flag.String("user", "", "username to log in as")
	pass := flag.String("password", os.Getenv("RTLOAD_PASSWORD"), "password (or RTLOAD_PASSWORD)")
	idsFile := flag.String("ids", "", "file of type:id lines")
	scenario := flag.String("scenario", "entity", "entity, neighbourhood, mixed (80% entity, 20% neighbourhood) or ring (ring subgraphs; ids are ring:ID)")
	view := flag.String("view", "aggregate", "ring and neighbourhood picture: aggregate or claims")
	job := flag.String("job", "", "ring scenario: the job whose rings to read (default: the latest)")
	gz := flag.Bool("gzip", true, "ask for gzip as a browser does; body sizes are then the bytes on the wire")
	clients := flag.Int("clients", 100, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	depth := flag.Int("depth", 2, "neighbourhood depth")
	limit := flag.Int("limit", 500, "neighbourhood node limit")
	seed := flag.Uint64("seed", 1, "random seed for id choice")
	jsonOut := flag.Bool("json", false, "print the summary as JSON")
	rate := flag.Float64("rate", 0, "requests per second per client (0: closed loop, send the next request as soon as the last answered); latency is measured from the scheduled send time, so a slow server cannot hide its queueing")
	flag.Parse()

	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to load %s: only loopback addresses", u.Host)
	}
	ids, err := readIDs(*idsFile)
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConns: *clients * 2, MaxIdleConnsPerHost: *clients * 2, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	token, err := login(hc, *base, *user, *pass)
	if err != nil {
		return err
	}
	if *scenario == "ring" {
		if err := ringSizes(hc, *base, token, ids, *job, *view, *gz); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var mu sync.Mutex
	all := map[string][]result{}
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(*seed, uint64(c)))
			local := map[string][]result{}
			var interval time.Duration
			next := time.Now()
			if *rate > 0 {
				interval = time.Duration(float64(time.Second) / *rate)
				// Spread the clients' first requests over one interval.
				next = next.Add(time.Duration(rng.Int64N(int64(interval))))
			}
			for ctx.Err() == nil {
				t0 := time.Now()
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						select {
						case <-time.After(d):
						case <-ctx.Done():
						}
						if ctx.Err() != nil {
							break
						}
					}
					t0 = next
					next = next.Add(interval)
				}
				ref := ids[rng.IntN(len(ids))]
				t, id, _ := strings.Cut(ref, ":")
				kind := *scenario
				if kind == "mixed" {
					kind = "entity"
					if rng.IntN(5) == 0 {
						kind = "neighbourhood"
					}
				}
				path := "/api/entities/" + t + "/" + url.PathEscape(id)
				switch kind {
				case "neighbourhood":
					path += fmt.Sprintf("/neighbourhood?depth=%d&limit=%d&view=%s", *depth, *limit, url.QueryEscape(*view))
				case "ring":
					path = ringPath(id, *job, *view)
				}
				req, _ := http.NewRequest(http.MethodGet, *base+path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				if *gz {
					// Set by hand, so the transport hands over the compressed body as it came.
					req.Header.Set("Accept-Encoding", "gzip")
				}
				resp, err := hc.Do(req)
				st := -1
				var n int64
				if err == nil {
					n, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					st = resp.StatusCode
				}
				if ctx.Err() != nil && err != nil {
					break
				}
				local[kind] = append(local[kind], result{time.Since(t0), st, n})
			}
			mu.Lock()
			for k, v := range local {
				all[k] = append(all[k], v...)
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var sums []summary
	for _, k := range []string{"entity", "neighbourhood", "ring"} {
		if rs := all[k]; len(rs) > 0 {
			sums = append(sums, summarise(k, rs, elapsed))
		}
	}
	if *jsonOut {
		return json.NewEncoder(os.Stdout).Encode(sums)
	}
	fmt.Printf("clients=%d rate/client=%g duration=%s scenario=%s\n", *clients, *rate, elapsed.Round(time.Millisecond), *scenario)
	for _, s := range sums {
		fmt.Printf("%-14s n=%d rps=%.0f ok=%d shed(429/503)=%d other=%d  p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms (ok only: p99=%.2fms) mean body %.0f B\n",
			s.Kind, s.N, s.RPS, s.OK, s.Shed, s.Other, s.P50, s.P90, s.P99, s.Max, s.P99OK, s.MeanBytes)
	}
	return nil
}

type summary struct {
	Kind                      string
	N, OK, Shed, Other        int
	RPS                       float64
	P50, P90, P99, Max, P99OK float64 // milliseconds
	MeanBytes                 float64 // mean response body size
}

func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	i := int(p * float64(len(ds)-1))
	return float64(ds[i].Microseconds()) / 1000
}

func summarise(kind string, rs []result, elapsed time.Duration) summary {
	s := summary{Kind: kind, N: len(rs), RPS: float64(len(rs)) / elapsed.Seconds()}
	var lat, okLat []time.Duration
	var bytes int64
	for _, r := range rs {
		lat = append(lat, r.lat)
		bytes += r.bytes
		switch {
		case r.status == 200:
			s.OK++
			okLat = append(okLat, r.lat)
		case r.status == 429 || r.status == 503:
			s.Shed++
		default:
			s.Other++
		}
	}
	slices.Sort(lat)
	slices.Sort(okLat)
	s.P50, s.P90, s.P99, s.Max = pct(lat, .5), pct(lat, .9), pct(lat, .99), pct(lat, 1)
	s.P99OK = pct(okLat, .99)
	s.MeanBytes = float64(bytes) / float64(len(rs))
	return s
}

func ringPath(id, job, view string) string {
	q := url.Values{"view": {view}}
	if job != "" {
		q.Set("job", job)
	}
	return "/api/rings/" + url.PathEscape(id) + "/subgraph?" + q.Encode()
}

// ringSizes reads each ring once (its members from /api/rings/ID, its picture from the subgraph
// route) and prints the body size per member, as JSON and on the wire: over all rings, and for
// the largest ring.
func ringSizes(hc *http.Client, base, token string, ids []string, job, view string, gz bool) error {
	var wire int64
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		wire += int64(len(raw))
		b := raw
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				return nil, err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return nil, err
			}
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, b)
		}
		return b, nil
	}
	var jsonBytes, members, subWire int64
	var bigID string
	var bigMembers, bigBytes, bigNodes int
	for _, ref := range ids {
		_, id, _ := strings.Cut(ref, ":")
		q := ""
		if job != "" {
			q = "?job=" + url.QueryEscape(job)
		}
		rb, err := get("/api/rings/" + url.PathEscape(id) + q)
		if err != nil {
			return err
		}
		var ring struct {
			Members []json.RawMessage `json:"members"`
		}
		if err := json.Unmarshal(rb, &ring); err != nil {
			return fmt.Errorf("ring %s: %w", id, err)
		}
		before := wire
		sb, err := get(ringPath(id, job, view))
		if err != nil {
			return err
		}
		subWire += wire - before
		var sub struct {
			Nodes []json.RawMessage `json:"nodes"`
		}
		if err := json.Unmarshal(sb, &sub); err != nil {
			return fmt.Errorf("ring %s subgraph: %w", id, err)
		}
		jsonBytes += int64(len(sb))
		members += int64(len(ring.Members))
		if len(ring.Members) > bigMembers {
			bigID, bigMembers, bigBytes, bigNodes = id, len(ring.Members), len(sb), len(sub.Nodes)
		}
	}
	if members == 0 {
		return errors.New("the rings have no members")
	}
	fmt.Printf("ring sizes (view=%s): %d rings, %d members; JSON %d B: %.0f B per member; on the wire (gzip=%v) %d B: %.0f B per member; largest ring %s: %d members, %d nodes, JSON %d B (%.0f B per member)\n",
		view, len(ids), members, jsonBytes, float64(jsonBytes)/float64(members), gz, subWire, float64(subWire)/float64(members), bigID, bigMembers, bigNodes, bigBytes, float64(bigBytes)/float64(bigMembers))
	return nil
}

func readIDs(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("--ids FILE is required")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.Contains(l, ":") {
			ids = append(ids, l)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no type:id lines", path)
	}
	return ids, sc.Err()
}

func login(hc *http.Client, base, user, pass string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pass})
	resp, err := hc.Post(base+"/api/auth/login", "application/json", strings.NewReader(string(b)))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login as %s: status %d", user, resp.StatusCode)
	}
	return out.Token, nil
}
