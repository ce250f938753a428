package dev.modelops.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The configured token: what turns authentication on, and what stops the start. */
class BearerAuthTokenTest {

  @Test
  void noTokenIsNoAuthenticationUnlessItIsRequired() {
    assertThat(BearerAuth.token(Optional.empty(), false)).isEmpty();
    assertThat(BearerAuth.token(Optional.of("  \n"), false)).isEmpty();
    assertThat(BearerAuth.token(Optional.of("t0ken\n"), false)).isPresent();
  }

  @Test
  void anEmptySecretValueStopsTheStartInsteadOfOpeningTheServer() {
    assertThatThrownBy(() -> BearerAuth.token(Optional.of("\n"), true))
        .hasMessageContaining("MODELOPS_AUTH_TOKEN is missing or empty")
        .hasMessageContaining("spec.runtime.auth.tokenSecretRef");
    assertThatThrownBy(() -> BearerAuth.token(Optional.empty(), true))
        .hasMessageContaining("missing or empty");
  }

  @Test
  void aTokenNoClientCanSendStopsTheStartWithoutShowingIt() {
    assertThatThrownBy(() -> BearerAuth.token(Optional.of("two words"), false))
        .hasMessageContaining("not printable ASCII")
        .hasMessageNotContaining("two words");
  }
}
