package dev.modelops.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

/**
 * Gives the Operator SDK a leader election configuration only when it is turned on: with none, a
 * single operator pod reconciles without touching a Lease.
 */
public class LeaderElectionSettings {

  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    OperatorConfig.LeaderElection settings = config.leaderElection();
    if (!settings.enabled()) {
      return null;
    }
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName());
    settings.leaseNamespace().ifPresent(builder::withLeaseNamespace);
    settings.identity().ifPresent(builder::withIdentity);
    return builder.build();
  }
}
