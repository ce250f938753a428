// Command pause holds a pod's namespaces, as the upstream pause image does: it waits for SIGINT or
// SIGTERM and exits. The sandbox builds it because no image can be pulled here.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
