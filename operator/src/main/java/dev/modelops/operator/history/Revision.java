package dev.modelops.operator.history;

/** A numbered revision of a ModelDeployment, as kept in its ControllerRevision. */
public record Revision(
    int number, String hash, RevisionTemplate template, String source, String createdAt) {}
