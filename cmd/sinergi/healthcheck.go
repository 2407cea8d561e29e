package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck is "sinergi healthcheck": GET /healthz of a running bot at
// SINERGI_HTTP_ADDR (or -http-addr). It exits 0 when the bot answers 200,
// 1 otherwise, and 2 for bad flags. The container image has no shell and
// no curl; this is its health check.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sinergi healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := "127.0.0.1:8080"
	if v := getenv("SINERGI_HTTP_ADDR"); v != "" {
		def = v
	}
	addr := fs.String("http-addr", def, "address of the bot's /healthz ($SINERGI_HTTP_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sinergi healthcheck [-http-addr host:port] [-timeout duration]\n\n"+
			"Asks a running Sinergi for GET /healthz (which checks Redis) and exits 0 when it\n"+
			"answers 200, 1 otherwise. An unspecified host (0.0.0.0, [::]) is probed on loopback.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "sinergi healthcheck: %q is not host:port (SINERGI_HTTP_ADDR, -http-addr)\n", *addr)
		return 2
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "sinergi healthcheck:", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "sinergi healthcheck: %s: %v\n", url, err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "sinergi healthcheck: %s: %s %s\n", url, resp.Status, body)
		return 1
	}
	fmt.Fprintf(stderr, "sinergi healthcheck: %s: ok\n", url)
	return 0
}
