package dev.modelops.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crds/ and the Helm chart's crds/ hold the CRD generated from the API classes. When one is stale
 * this test fails, naming the files; run it with {@code -Dcrds.write=true} to write the new CRD
 * there, so the change shows in git. A plain run never rewrites a committed file.
 */
class CrdIsCurrentTest {

  static final String CRD_FILE = "modeldeployments.modelops.dev-v1.yml";

  @TempDir Path out;

  @Test
  void committedCrdMatchesTheApiClasses() throws IOException {
    new CRDGenerator()
        .customResourceClasses(ModelDeployment.class)
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    String generated = withColumnsInOrder(Files.readString(out.resolve(CRD_FILE)));
    List<Path> stale = new java.util.ArrayList<>();
    for (Path committed :
        List.of(
            repo().resolve("crds").resolve(CRD_FILE),
            repo().resolve("helm/modelops-operator/crds").resolve(CRD_FILE))) {
      String current = Files.exists(committed) ? Files.readString(committed) : "";
      if (!current.equals(generated)) {
        if (Boolean.getBoolean("crds.write")) {
          Files.writeString(committed, generated);
        }
        stale.add(committed);
      }
    }
    assertThat(stale)
        .as(
            Boolean.getBoolean("crds.write")
                ? "stale CRDs, regenerated now: review and commit them"
                : "stale CRDs: regenerate them with ./mvnw -pl operator -am test"
                    + " -Dtest=CrdIsCurrentTest -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dcrds.write=true, then review and commit them")
        .isEmpty();
  }

  /**
   * The generator sorts printer columns by JSON path; kubectl shows them in the order users know:
   * what is served, whether it is available, the canary, then the age.
   */
  static String withColumnsInOrder(String yaml) {
    CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
    List<String> order = List.of("Model", "Version", "Available", "Canary", "Age");
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
    }
    return Serialization.asYaml(crd);
  }

  static Path repo() {
    String fromBuild = System.getProperty("test.repo.root");
    Path dir = Path.of(fromBuild != null ? fromBuild : "..").toAbsolutePath().normalize();
    assertThat(dir.resolve("crds")).isDirectory();
    return dir;
  }
}
