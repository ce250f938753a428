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

  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    OperatorConfig.LeaderElection settings = config.leaderElection();
    if (!settings.enabled()) {
      return null;
    }
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(
                new LeaderCallbacks(() -> {}, LeaderElectionSettings::leadershipLost, id -> {}));
    settings.leaseNamespace().ifPresent(builder::withLeaseNamespace);
    settings.identity().ifPresent(builder::withIdentity);
    return builder.build();
  }

  /** Another pod leads now: this one exits and starts again as a follower. */
  static void leadershipLost() {
    if (!stopping) {
      LOG.warn("lost the leader Lease to another operator pod; exiting to start as a follower");
      Quarkus.asyncExit(1);
    }
  }

  void stopping(@Observes @Priority(1) ShutdownEvent event) {
    stopping = true;
  }
}
