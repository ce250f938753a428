// Command sandbox-forward relays TCP connections from a loopback port of the machine to an address
// that exists only inside the sandbox's network namespace (the API server, a Service, a pod), so the
// host reaches the cluster without any cluster address being configured in its own namespace.
//
//	sandbox-forward --netns /proc/PID/ns/net --listen 127.0.0.1:PORT --to ADDRESS:PORT
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	netns := flag.String("netns", "", "the network namespace to dial in (a /proc/PID/ns/net path)")
	listen := flag.String("listen", "", "the loopback address to listen on, in this process's namespace")
	to := flag.String("to", "", "the address to connect to, inside --netns")
	flag.Parse()
	if *netns == "" || *listen == "" || *to == "" {
		flag.Usage()
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("--listen must be a loopback address, got %q", *listen)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("forwarding %s to %s in %s", *listen, *to, *netns)
	for {
		conn, err := listener.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go relay(conn, *netns, *to)
	}
}

func relay(client net.Conn, netns, to string) {
	defer client.Close()
	upstream, err := dialIn(netns, to)
	if err != nil {
		log.Printf("connecting to %s: %v", to, err)
		return
	}
	defer upstream.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if tcp, ok := dst.(*net.TCPConn); ok {
			tcp.CloseWrite()
		}
	}
	go pipe(upstream, client)
	go pipe(client, upstream)
	wg.Wait()
}

// dialIn opens the socket on a thread that has entered the target namespace: a socket belongs to
// the namespace it was created in, whichever thread uses it later. The thread is never handed
// back to other goroutines (no UnlockOSThread), so it ends with this goroutine.
func dialIn(netns, to string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(netns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- result{nil, err}
			return
		}
		conn, err := net.DialTimeout("tcp", to, 10*time.Second)
		done <- result{conn, err}
	}()
	r := <-done
	return r.conn, r.err
}
