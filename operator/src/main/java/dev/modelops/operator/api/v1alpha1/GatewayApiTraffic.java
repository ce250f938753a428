package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The Gateway API route that carries weighted traffic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayApiTraffic {

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the Gateway the HTTPRoute attaches to.")
  public String gateway;

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("Namespace of the Gateway; defaults to the ModelDeployment's namespace.")
  public String gatewayNamespace;

  @Size(max = 16)
  @JsonPropertyDescription("Hostnames the route matches; all of the Gateway's when empty.")
  public List<String> hostnames;
}
