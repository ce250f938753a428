package dev.modelops.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real V2 clients work unchanged against the server: Triton's Python HTTP client
 * (tritonclient[http]) and KServe's Python SDK (kserve.InferenceRESTClient, protocol v2), from
 * PyPI, JSON and binary, every datatype, run by pytest.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Types.class)
class ClientCompatibilityTest {

  @TestHTTPResource("/")
  URL server;

  @Test
  void tritonAndKServeClientsPass() throws IOException, InterruptedException {
    ModelReady.await();
    ProcessBuilder pytest =
        new ProcessBuilder(
                List.of(
                    "python3",
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "src/test/python/test_tritonclient.py",
                    "src/test/python/test_kserve_client.py"))
            .redirectErrorStream(true);
    pytest.environment().put("V2_URL", server.getHost() + ":" + server.getPort());
    pytest.environment().put("V2_MODEL", "types");
    Process process = pytest.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(output)
        .as(
            "pytest output:%n%s%nInstall the client with: pip install -r runtime-image/requirements-test.txt",
            output)
        .doesNotContain("No module named")
        .contains("9 passed")
        .doesNotContain("failed");
    assertThat(process.exitValue()).as(output).isZero();
  }
}
