// Command kube-controlplane runs a complete Kubernetes control plane for
// tests in ONE process: an embedded etcd server plus the real kube-apiserver
// (k8s.io/kubernetes/cmd/kube-apiserver/app), pinned by this module's go.mod.
//
// Usage:
//
//	kube-controlplane --data-dir DIR [--admin-port N] [--etcd-log-level L] -- <kube-apiserver flags...>
//
// Everything after "--" is passed unchanged to kube-apiserver; this program
// appends --etcd-servers=http://127.0.0.1:<etcd port> (the embedded etcd).
//
// On stdout it prints, one per line, for a harness to parse:
//
//	ETCD_READY 127.0.0.1:PORT
//	ADMIN_READY 127.0.0.1:PORT
//
// The admin endpoint (loopback only, plain HTTP) offers:
//
//	GET  /healthz   -> "ok"
//	GET  /revision  -> {"revision":N} (current etcd store revision)
//	POST /compact[?revision=N] -> compacts etcd (physically) at N, default the
//	                  current revision; returns {"revision":N,"compacted":N}
//
// Compacting etcd makes watches and lists at older resourceVersions fail with
// 410 Gone / Expired (for requests that reach etcd, i.e. not served by the
// apiserver's watch cache).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // for timeZone support in CronJob (as upstream's main)

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(run())
}

func run() int {
	fs := flag.NewFlagSet("kube-controlplane", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "directory for state (etcd data goes to DIR/etcd); required")
	adminPort := fs.Int("admin-port", 0, "loopback port for the admin HTTP endpoint (0 = pick a free port, -1 = disabled)")
	etcdLogLevel := fs.String("etcd-log-level", "error", "embedded etcd log level (debug, info, warn, error)")
	etcdFsync := fs.Bool("etcd-fsync", false, "fsync etcd writes (off by default: test data need no durability, and it is much faster)")
	etcdQuota := fs.Int64("etcd-quota-backend-bytes", 0, "etcd backend quota in bytes (0 = etcd default)")
	exitOnStdinClose := fs.Bool("exit-on-stdin-close", false, "shut down (as on SIGTERM) when stdin reaches EOF, i.e. when the parent process that holds the pipe dies")
	cleanupDir := fs.String("cleanup-dir", "", "directory to remove (recursively) on exit after stdin closed (with --exit-on-stdin-close)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s --data-dir DIR [flags] -- [kube-apiserver flags]\n", os.Args[0])
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "kube-controlplane: --data-dir is required")
		fs.Usage()
		return 2
	}
	apiserverArgs := fs.Args() // flag stops at "--" and drops it
	// Only an orphaned process (stdin closed: the parent died) cleans up the
	// parent's directory; otherwise the parent does it (and may retry in it).
	var stdinClosed atomic.Bool
	if *cleanupDir != "" {
		defer func() {
			if stdinClosed.Load() {
				_ = os.RemoveAll(*cleanupDir)
			}
		}()
	}

	etcdLevel, err := zap.ParseAtomicLevel(*etcdLogLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-controlplane: --etcd-log-level: %v\n", err)
		return 2
	}
	etcd, clientURL, err := startEtcd(filepath.Join(*dataDir, "etcd"), etcdLevel, *etcdFsync, *etcdQuota)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-controlplane: starting etcd: %v\n", err)
		return 1
	}
	defer func() {
		// Closing logs "serving ... failed: server closed" errors; mute them
		// so the apiserver's own last words stay the last lines of output.
		etcdLevel.SetLevel(zap.FatalLevel)
		etcd.Close()
	}()
	fmt.Printf("ETCD_READY %s\n", clientURL.Host)

	// Stop if etcd dies underneath the apiserver.
	go func() {
		if err, ok := <-etcd.Err(); ok && err != nil {
			fmt.Fprintf(os.Stderr, "kube-controlplane: etcd failed: %v\n", err)
			os.Exit(1)
		}
	}()

	if *adminPort >= 0 {
		stopAdmin, addr, err := startAdmin(*adminPort, clientURL.String())
		if err != nil {
			fmt.Fprintf(os.Stderr, "kube-controlplane: starting admin endpoint: %v\n", err)
			return 1
		}
		defer stopAdmin()
		fmt.Printf("ADMIN_READY %s\n", addr)
	}

	// kube-apiserver installs its own SIGTERM/SIGINT handler (first signal:
	// graceful shutdown, second: exit(1)); when it returns we close etcd.
	cmd := app.NewAPIServerCommand() // installs the signal handler
	cmd.SetArgs(append(apiserverArgs, "--etcd-servers="+clientURL.String()))
	if *exitOnStdinClose {
		// Once the parent is gone our stdout/stderr pipes are broken too; by
		// default Go dies of SIGPIPE on such a write, skipping the clean-up.
		signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stdinClosed.Store(true)
			fmt.Fprintln(os.Stderr, "kube-controlplane: stdin closed, shutting down")
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(15 * time.Second)
			fmt.Fprintln(os.Stderr, "kube-controlplane: graceful shutdown took too long, exiting")
			if *cleanupDir != "" {
				_ = os.RemoveAll(*cleanupDir)
			}
			os.Exit(1)
		}()
	}
	return cli.Run(cmd)
}

func startEtcd(dir string, level zap.AtomicLevel, fsync bool, quota int64) (*embed.Etcd, *url.URL, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	cfg := embed.NewConfig()
	cfg.Name = "controlplane"
	cfg.Dir = dir
	zc := zap.NewProductionConfig() // JSON to stderr, like etcd's default
	zc.Level = level
	zc.Sampling = nil
	lg, err := zc.Build()
	if err != nil {
		return nil, nil, err
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	cfg.UnsafeNoFsync = !fsync
	if quota > 0 {
		cfg.QuotaBackendBytes = quota
	}
	// Loopback only; port 0 = the kernel picks a free port (read back below).
	// The peer URL is never dialled (single member) but must be consistent.
	peer, _ := url.Parse("http://127.0.0.1:0")
	client, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.EnableGRPCGateway = false

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, nil, err
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		e.Close()
		return nil, nil, errors.New("etcd took longer than 60s to become ready")
	}
	addr := e.Clients[0].Addr().String()
	u := &url.URL{Scheme: "http", Host: addr}
	return e, u, nil
}

func startAdmin(port int, etcdURL string) (func(), string, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{etcdURL},
		DialTimeout: 10 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		cli.Close()
		return nil, "", err
	}
	var mu sync.Mutex // serialise compactions
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /revision", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		resp, err := cli.Status(ctx, etcdURL)
		if err != nil {
			httpError(w, err)
			return
		}
		writeJSON(w, map[string]int64{"revision": resp.Header.Revision})
	})
	mux.HandleFunc("POST /compact", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		var rev int64
		if s := r.URL.Query().Get("revision"); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v <= 0 {
				http.Error(w, "bad revision", http.StatusBadRequest)
				return
			}
			rev = v
		} else {
			resp, err := cli.Get(ctx, "compact_rev_key_probe") // any key: the header carries the store revision
			if err != nil {
				httpError(w, err)
				return
			}
			rev = resp.Header.Revision
		}
		if _, err := cli.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
			httpError(w, err)
			return
		}
		writeJSON(w, map[string]int64{"revision": rev, "compacted": rev})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "kube-controlplane: admin endpoint: %v\n", err)
		}
	}()
	stop := func() {
		_ = srv.Close()
		_ = cli.Close()
	}
	return stop, ln.Addr().String(), nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}
