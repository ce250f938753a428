// Command sandbox-files serves a directory over plain HTTP: the sandbox's model file server, from
// which ModelDeployments' init containers download models inside real pods.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

func main() {
	dir := flag.String("dir", "/srv", "the directory to serve")
	addr := flag.String("addr", ":8080", "the address to listen on")
	flag.Parse()
	files := http.FileServer(http.Dir(*dir))
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s from %s", r.Method, r.URL.Path, r.RemoteAddr)
		files.ServeHTTP(w, r)
	}))
	server := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("serving %s on %s", *dir, *addr)
	log.Fatal(server.ListenAndServe())
}
