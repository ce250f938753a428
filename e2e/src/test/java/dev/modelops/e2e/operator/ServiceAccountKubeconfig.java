package dev.modelops.e2e.operator;

import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig that acts as a ServiceAccount, with a token from the TokenRequest API: how the
 * operator authenticates in a pod, for an operator run as a process.
 */
public final class ServiceAccountKubeconfig {

  private ServiceAccountKubeconfig() {}

  public static Path write(SandboxCluster cluster, String namespace, String serviceAccount) {
    String token =
        cluster
            .client()
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    try {
      String kubeconfig =
          Files.readString(cluster.kubeconfig())
              .replaceAll("token: .*", "token: " + token)
              .replace("sandbox-admin", serviceAccount);
      Path file = cluster.dir().resolve(namespace + "-" + serviceAccount + ".kubeconfig");
      Files.writeString(file, kubeconfig);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
