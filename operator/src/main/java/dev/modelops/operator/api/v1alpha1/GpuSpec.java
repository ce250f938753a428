package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** GPUs for each inference pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GpuSpec {

  @Min(1)
  @Max(16)
  @Default("1")
  @JsonPropertyDescription("GPUs per pod, set as a limit on resourceName.")
  public Integer count = 1;

  @Pattern(ApiPatterns.RESOURCE_NAME)
  @Default("nvidia.com/gpu")
  @JsonPropertyDescription(
      "Extended resource that counts GPUs: nvidia.com/gpu, or a MIG profile such as nvidia.com/mig-1g.10gb.")
  public String resourceName = "nvidia.com/gpu";

  @Size(max = 63)
  @Pattern(ApiPatterns.LABEL_VALUE)
  @JsonPropertyDescription(
      "GPU model to run on, matched against the node label nvidia.com/gpu.product, "
          + "for example NVIDIA-H100-80GB-HBM3. Any GPU model when empty.")
  public String product;

  @JsonPropertyDescription(
      "Let the runtime serve on the CPU when ONNX Runtime's CUDA provider cannot load or start (a"
          + " runtime image without CUDA, a node without a usable GPU, simulated GPUs). Unset or"
          + " false: the runtime exits with the reason and the pod crash-loops (Degraded=True,"
          + " CrashLooping), so a GPU model never runs on the CPU unnoticed. Either way"
          + " status.executionProviders says what each ready pod runs on.")
  public Boolean allowCpuFallback;
}
