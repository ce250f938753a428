// Command sandbox-gpu-plugin advertises simulated GPUs to the real node's kubelet through the
// kubelet device-plugin API (v1beta1), so GPU pods are scheduled, allocated and run for real on a
// machine without a GPU. Allocate hands each container the ids it got, as NVIDIA's plugin does, in
// NVIDIA_VISIBLE_DEVICES; the runtime finds no CUDA device there and falls back to the CPU.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type plugin struct {
	pluginapi.UnimplementedDevicePluginServer
	devices []*pluginapi.Device
}

func (p *plugin) GetDevicePluginOptions(context.Context, *pluginapi.Empty) (*pluginapi.DevicePluginOptions, error) {
	return &pluginapi.DevicePluginOptions{}, nil
}

// ListAndWatch sends the devices once and keeps the stream open: simulated devices never fail.
func (p *plugin) ListAndWatch(_ *pluginapi.Empty, stream grpc.ServerStreamingServer[pluginapi.ListAndWatchResponse]) error {
	if err := stream.Send(&pluginapi.ListAndWatchResponse{Devices: p.devices}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return nil
}

func (p *plugin) Allocate(_ context.Context, req *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	resp := &pluginapi.AllocateResponse{}
	for _, c := range req.ContainerRequests {
		ids := strings.Join(c.DevicesIds, ",")
		log.Printf("allocating %s", ids)
		resp.ContainerResponses = append(resp.ContainerResponses, &pluginapi.ContainerAllocateResponse{
			Envs: map[string]string{"NVIDIA_VISIBLE_DEVICES": ids, "MODELOPS_SANDBOX_GPU": ids},
		})
	}
	return resp, nil
}

func (p *plugin) PreStartContainer(context.Context, *pluginapi.PreStartContainerRequest) (*pluginapi.PreStartContainerResponse, error) {
	return &pluginapi.PreStartContainerResponse{}, nil
}

func main() {
	count := flag.Int("count", 2, "how many simulated GPUs to advertise")
	resource := flag.String("resource", "nvidia.com/gpu", "the extended resource name")
	dir := flag.String("dir", pluginapi.DevicePluginPath, "the kubelet's device-plugin directory")
	flag.Parse()

	p := &plugin{}
	for i := 0; i < *count; i++ {
		p.devices = append(p.devices, &pluginapi.Device{ID: fmt.Sprintf("sandbox-gpu-%d", i), Health: pluginapi.Healthy})
	}
	endpoint := "sandbox-gpu.sock"
	socket := filepath.Join(*dir, endpoint)
	// The kubelet removes every socket in its directory when it starts: serve and register again
	// whenever ours is gone, so a restarted kubelet gets the devices back.
	for {
		server, err := serve(p, socket)
		if err != nil {
			log.Fatalf("serving %s: %v", socket, err)
		}
		if err := register(filepath.Join(*dir, "kubelet.sock"), endpoint, *resource); err != nil {
			log.Printf("registering with the kubelet: %v; retrying", err)
			server.Stop()
			time.Sleep(time.Second)
			continue
		}
		log.Printf("advertising %d %s on %s", *count, *resource, socket)
		for {
			time.Sleep(time.Second)
			if _, err := os.Stat(socket); err != nil {
				log.Printf("%s is gone (the kubelet restarted); registering again", socket)
				server.Stop()
				break
			}
		}
	}
}

func serve(p *plugin, socket string) (*grpc.Server, error) {
	if err := os.Remove(socket); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return nil, err
	}
	server := grpc.NewServer()
	pluginapi.RegisterDevicePluginServer(server, p)
	go server.Serve(listener)
	return server, nil
}

func register(kubeletSocket, endpoint, resource string) error {
	conn, err := grpc.NewClient("unix://"+kubeletSocket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = pluginapi.NewRegistrationClient(conn).Register(ctx, &pluginapi.RegisterRequest{
		Version:      pluginapi.Version,
		Endpoint:     endpoint,
		ResourceName: resource,
		Options:      &pluginapi.DevicePluginOptions{},
	})
	return err
}
