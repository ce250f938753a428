package dev.modelops.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A model served in production: its pods, rollouts, history, drift watch and retraining. */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@ShortNames("mdep")
@AdditionalPrinterColumn(name = "Model", jsonPath = ".status.modelName")
@AdditionalPrinterColumn(name = "Version", jsonPath = ".spec.model.version")
@AdditionalPrinterColumn(
    name = "Available",
    jsonPath = ".status.conditions[?(@.type==\"Available\")].status")
@AdditionalPrinterColumn(
    name = "Canary",
    jsonPath = ".status.canary.weight",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Drift",
    jsonPath = ".status.drift.score",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message =
        "metadata.name must start with a lowercase letter and hold only lowercase letters, digits"
            + " and '-' (no dots): it names the ModelDeployment's Service",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "size(self.metadata.name) <= 50",
    message =
        "metadata.name must be at most 50 characters: it names the revisions' Deployments and"
            + " Services (<name>-r<number>) and is a label value",
    reason = "FieldValueInvalid")
public class ModelDeployment extends CustomResource<ModelDeploymentSpec, ModelDeploymentStatus>
    implements Namespaced {

  public static final String GROUP = "modelops.dev";
  public static final String VERSION = "v1alpha1";
}
