package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The revision numbers of the Deployments and ControllerRevisions the operator made, read as it
 * wrote them. An edit by hand (a revision label that is no number or names another revision, a
 * ControllerRevision whose data is no revision template) is named, and repaired or set aside: never
 * a reconcile that fails on it again and again.
 */
final class RevisionObjects {

  private RevisionObjects() {}

  /**
   * The kept revisions, the highest number any ControllerRevision holds (numbers are never used
   * twice, even one set aside), and the objects edited by hand.
   */
  record History(List<Revision> revisions, int highestNumber, List<TamperedObject> tampered) {}

  /**
   * The Deployments of each revision, numbered by their names ({@code <name>-r<N>}), which no one
   * can change; a revision label that says otherwise is named (the Deployment's dependent puts it
   * back).
   */
  static Map<Integer, Deployment> deployments(
      ModelDeployment mdep, List<Deployment> all, List<TamperedObject> tampered) {
    Map<Integer, Deployment> byNumber = new TreeMap<>();
    for (Deployment d : all) {
      if (!Labels.belongsTo(mdep, d)) {
        continue;
      }
      Optional<Integer> number = numberInName(mdep, d.getMetadata().getName());
      if (number.isEmpty()) {
        continue;
      }
      byNumber.putIfAbsent(number.get(), d);
      labelMismatch(d, "Deployment", number.get()).ifPresent(tampered::add);
    }
    return byNumber;
  }

  /** The revision number in a Deployment's name, {@code <name>-r<N>}. */
  static Optional<Integer> numberInName(ModelDeployment mdep, String name) {
    String prefix = mdep.getMetadata().getName() + "-r";
    if (!name.startsWith(prefix)) {
      return Optional.empty();
    }
    String digits = name.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(digits));
  }

  /**
   * The revisions kept in ControllerRevisions. One whose data is no revision template is, when it
   * bears the spec's name, the spec's revision (its dependent writes it again); otherwise it is
   * left as it is and its number is not used again.
   */
  static History history(ModelDeployment mdep, List<ControllerRevision> all) {
    RevisionTemplate spec = RevisionTemplate.of(mdep);
    String specName = mdep.getMetadata().getName() + "-" + spec.hash();
    List<Revision> revisions = new ArrayList<>();
    List<TamperedObject> tampered = new ArrayList<>();
    int highest = 0;
    for (ControllerRevision cr : all) {
      if (!Labels.belongsTo(mdep, cr) || cr.getRevision() == null) {
        continue;
      }
      int number = cr.getRevision().intValue();
      highest = Math.max(highest, number);
      String name = cr.getMetadata().getName();
      Optional<String> problem = problem(cr);
      if (problem.isEmpty()) {
        revisions.add(revision(cr, RevisionTemplate.fromJson(Serialization.asJson(cr.getData()))));
        labelMismatch(cr, "ControllerRevision", number).ifPresent(tampered::add);
      } else if (name.equals(specName)) {
        revisions.add(revision(cr, spec));
        tampered.add(
            TamperedObject.of(
                cr,
                "ControllerRevision %s of revision %d holds no revision template (%s): it is written again from the spec"
                    .formatted(name, number, problem.get())));
      } else {
        tampered.add(
            TamperedObject.of(
                cr,
                ("ControllerRevision %s of revision %d holds no revision template (%s): it is left"
                        + " as it is and the revision is not served; number %d is not used again")
                    .formatted(name, number, problem.get(), number)));
      }
    }
    return new History(List.copyOf(revisions), highest, List.copyOf(tampered));
  }

  /** Why a ControllerRevision's data is no revision template, if it is not (see readable). */
  static Optional<String> problem(ControllerRevision cr) {
    try {
      RevisionTemplate.fromJson(Serialization.asJson(cr.getData()));
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static Optional<TamperedObject> labelMismatch(
      HasMetadata object, String kind, int number) {
    String label = object.getMetadata().getLabels().get(Labels.REVISION);
    if (Integer.toString(number).equals(label)) {
      return Optional.empty();
    }
    return Optional.of(
        TamperedObject.of(
            object,
            "%s %s has label %s=%s instead of %d: it is put back"
                .formatted(
                    kind,
                    object.getMetadata().getName(),
                    Labels.REVISION,
                    Objects.toString(label, "(none)"),
                    number)));
  }

  private static Revision revision(ControllerRevision cr, RevisionTemplate template) {
    Map<String, String> annotations =
        Optional.ofNullable(cr.getMetadata().getAnnotations()).orElse(Map.of());
    Optional<Revision.Outcome> outcome =
        Optional.ofNullable(annotations.get(ObservedState.OUTCOME_ANNOTATION))
            .map(
                kind ->
                    new Revision.Outcome(
                        StatusMessage.capped(kind),
                        StatusMessage.capped(
                            annotations.getOrDefault(
                                ObservedState.OUTCOME_REASON_ANNOTATION, kind)),
                        StatusMessage.of(
                            annotations.getOrDefault(
                                ObservedState.OUTCOME_MESSAGE_ANNOTATION, ""))));
    return new Revision(
        cr.getRevision().intValue(),
        template.hash(),
        template,
        source(annotations.get(ObservedState.SOURCE_ANNOTATION)),
        cr.getMetadata().getCreationTimestamp(),
        outcome,
        Optional.ofNullable(annotations.get(ObservedState.BASELINE_ANNOTATION))
            .flatMap(RevisionObjects::baseline));
  }

  /**
   * What made the revision. A value edited by hand into no source the status can show (its enum
   * once failed every reconcile) is read as Spec, and the dependent writes that back.
   */
  static String source(String annotation) {
    return annotation != null && Revision.SOURCES.contains(annotation) ? annotation : Revision.SPEC;
  }

  private static Optional<BaselineSource> baseline(String json) {
    try {
      return Optional.of(Serialization.unmarshal(json, BaselineSource.class))
          .filter(b -> b.uri != null);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
