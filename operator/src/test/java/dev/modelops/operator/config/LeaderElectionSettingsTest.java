package dev.modelops.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderElectionSettingsTest {

  static final Duration DEADLINE = Duration.ofSeconds(10);

  @Test
  void anotherHolderIsNamedAsTheOneThatTookTheLease() {
    assertThat(LeaderElectionSettings.whyLost("operator-0", "operator-1", DEADLINE))
        .isEqualTo(
            "lost the leader Lease to operator pod operator-1; exiting to start again as a"
                + " follower");
  }

  @Test
  void aLeaseThisPodStillHoldsButCouldNotRenewBlamesNoOtherPod() {
    for (String lastHolder : new String[] {"operator-0", null}) {
      assertThat(LeaderElectionSettings.whyLost("operator-0", lastHolder, DEADLINE))
          .startsWith("could not renew the leader Lease within its renew deadline of 10 s")
          .contains("API server")
          .doesNotContain("operator pod")
          .doesNotContain("operator-0");
    }
  }
}
