// Command sandbox-pod-sd lists the runtime pods of ModelDeployments for the sandbox's Prometheus, in
// Prometheus's HTTP service discovery format. Debian's Prometheus is built without Kubernetes
// discovery, so this sidecar asks the API server (in-cluster, with its pod's service account) and
// Prometheus's http_sd_configs reads the answer: one target per ready-or-not running pod, at its
// container port named http, labelled with namespace and pod as a PodMonitor would label it.
//
//	sandbox-pod-sd --listen 127.0.0.1:8081 --selector modelops.dev/deployment
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

const account = "/var/run/secrets/kubernetes.io/serviceaccount/"

type podList struct {
	Items []struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			Containers []struct {
				Ports []struct {
					Name          string `json:"name"`
					ContainerPort int    `json:"containerPort"`
				} `json:"ports"`
			} `json:"containers"`
		} `json:"spec"`
		Status struct {
			Phase string `json:"phase"`
			PodIP string `json:"podIP"`
		} `json:"status"`
	} `json:"items"`
}

type targetGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "the address to serve the targets on")
	selector := flag.String("selector", "modelops.dev/deployment", "the label selector of the pods")
	port := flag.String("port", "http", "the name of the container port to scrape")
	flag.Parse()
	api, err := apiClient()
	if err != nil {
		log.Fatalf("no in-cluster API access: %v", err)
	}
	base := "https://" + net.JoinHostPort(os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT"))
	list := base + "/api/v1/pods?labelSelector=" + url.QueryEscape(*selector)
	http.HandleFunc("/targets", func(w http.ResponseWriter, _ *http.Request) {
		groups, err := targets(api, list, *port)
		if err != nil {
			log.Printf("listing pods: %v", err)
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(groups)
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	log.Printf("serving the pods of %q on http://%s/targets", *selector, *listen)
	server := &http.Server{Addr: *listen, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.ListenAndServe())
}

// apiClient trusts the cluster's CA and sends the service account's token with every request.
func apiClient() (*http.Client, error) {
	ca, err := os.ReadFile(account + "ca.crt")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %sca.crt", account)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &http.Client{Timeout: 5 * time.Second, Transport: tokenTransport{transport}}, nil
}

type tokenTransport struct{ next http.RoundTripper }

// RoundTrip reads the token each time: the kubelet rotates the projected token file.
func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	token, err := os.ReadFile(account + "token")
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(token))
	return t.next.RoundTrip(r)
}

func targets(api *http.Client, list, portName string) ([]targetGroup, error) {
	response, err := api.Get(list)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the API server answered %s", response.Status)
	}
	var pods podList
	if err := json.NewDecoder(response.Body).Decode(&pods); err != nil {
		return nil, err
	}
	groups := []targetGroup{}
	for _, pod := range pods.Items {
		if pod.Status.Phase != "Running" || pod.Status.PodIP == "" {
			continue
		}
		for _, container := range pod.Spec.Containers {
			for _, p := range container.Ports {
				if p.Name != portName {
					continue
				}
				groups = append(groups, targetGroup{
					Targets: []string{net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(p.ContainerPort))},
					Labels:  map[string]string{"namespace": pod.Metadata.Namespace, "pod": pod.Metadata.Name},
				})
			}
		}
	}
	return groups, nil
}
