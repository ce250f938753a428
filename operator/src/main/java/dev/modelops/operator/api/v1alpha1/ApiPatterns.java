package dev.modelops.operator.api.v1alpha1;

/** Formats the API server checks, shared by the fields that use them. */
public final class ApiPatterns {

  /** A Go duration as Kubernetes writes them: 30s, 2m, 1h30m, 500ms. */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$";

  /** A hex SHA-256 digest: 64 lowercase hex characters. */
  public static final String SHA256 = "^[a-f0-9]{64}$";

  /** A label value: what a model version or a GPU product becomes on pods and nodes. */
  public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

  /** The schemes a model can come from. */
  public static final String MODEL_URI = "^(https?|pvc|file)://.+$";

  /** An extended resource name, such as nvidia.com/gpu or nvidia.com/mig-1g.10gb. */
  public static final String RESOURCE_NAME =
      "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

  private ApiPatterns() {}
}
