package dev.modelops.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An owned object found edited by hand, with what the operator does about it: the message of its
 * Warning Event, recorded once per version of the object.
 */
public record TamperedObject(String uid, String resourceVersion, String message) {

  public static final String REASON = "TamperedObject";

  static TamperedObject of(HasMetadata object, String message) {
    return new TamperedObject(
        object.getMetadata().getUid(), object.getMetadata().getResourceVersion(), message);
  }

  /** The key under which it is reported once: the object and its version. */
  String key() {
    return uid + "@" + resourceVersion;
  }
}
