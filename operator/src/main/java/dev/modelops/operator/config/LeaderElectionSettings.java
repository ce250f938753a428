package dev.modelops.operator.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Gives the Operator SDK a leader election configuration only when it is turned on: with none, a
 * single operator pod reconciles without touching a Lease.
 */
public class LeaderElectionSettings {

  private static final Logger LOG = Logger.getLogger(LeaderElectionSettings.class);

  /**
   * Set when the application stops. The Operator SDK's own exit on lost leadership calls
   * System.exit, which deadlocks when the loss comes from stopping the operator inside a shutdown
   * hook (SIGTERM): the pod would hang until it is killed.
   */
  private static volatile boolean stopping;

  /** The holder of the Lease this pod saw last: another pod's name when another took it over. */
  private static volatile String lastHolder;

  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    OperatorConfig.LeaderElection settings = config.leaderElection();
    if (!settings.enabled()) {
      return null;
    }
    // The Operator SDK's own default (the host name, else a random one), chosen here so that the
    // pod knows its own name when it loses the Lease.
    String self =
        settings
            .identity()
            .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")))
            .filter(id -> !id.isBlank())
            .orElseGet(() -> UUID.randomUUID().toString());
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
            .withIdentity(self)
            .withExitOnStopLeading(false);
    settings.leaseNamespace().ifPresent(builder::withLeaseNamespace);
    Duration renewDeadline = LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE;
    return builder
        .withLeaderCallbacks(
            new LeaderCallbacks(
                () -> LOG.infof("leading: this pod (%s) holds the leader Lease", self),
                () -> leadershipLost(self, renewDeadline),
                holder -> lastHolder = holder))
        .build();
  }

  /** This pod no longer leads: it exits and starts again as a follower. */
  static void leadershipLost(String self, Duration renewDeadline) {
    if (!stopping) {
      LOG.warn(whyLost(self, lastHolder, renewDeadline));
      Quarkus.asyncExit(1);
    }
  }

  /**
   * Why this pod stopped leading. The Lease client names a new holder before it says the old one
   * stopped, so a holder other than this pod means another took the Lease over; this pod as the
   * last holder means it could not renew the Lease in time (an API server that does not answer),
   * and no other pod is to blame.
   */
  static String whyLost(String self, String lastHolder, Duration renewDeadline) {
    if (lastHolder != null && !lastHolder.equals(self)) {
      return "lost the leader Lease to operator pod "
          + lastHolder
          + "; exiting to start again as a follower";
    }
    return "could not renew the leader Lease within its renew deadline of "
        + renewDeadline.toSeconds()
        + " s (is the API server reachable?); exiting so that two pods never reconcile at once,"
        + " to start again as a follower";
  }

  void stopping(@Observes @Priority(1) ShutdownEvent event) {
    stopping = true;
  }
}
