package dev.modelops.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Read from the setting as text only: no address is looked up or connected to. */
class FetchDeniedNetworksTest {

  static OperatorConfig.Fetch fetch(String networks) {
    return () -> Optional.ofNullable(networks);
  }

  @Test
  void theLinkLocalNetworksAreAlwaysKeptAndNothingAddedSetsNothing() {
    assertThat(FetchDeniedNetworks.envValue(fetch(null))).isEmpty();
    assertThat(FetchDeniedNetworks.envValue(fetch(" ,"))).isEmpty();
    assertThat(FetchDeniedNetworks.envValue(fetch("10.96.0.0/12")))
        .hasValue("169.254.0.0/16,fe80::/10,10.96.0.0/12");
    assertThat(FetchDeniedNetworks.envValue(fetch("fe80::/10, 0.0.0.0/0 ,::/0,2001:db8::/32")))
        .hasValue("169.254.0.0/16,fe80::/10,0.0.0.0/0,::/0,2001:db8::/32");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.96.0.0",
        "10.96.0.0/33",
        "10.96.0/16",
        "10.96.0.256/16",
        "10.96.0.0/-1",
        "10.96.0.0/x",
        "fd00::/129",
        "fd00::1::2/64",
        "models.example/24",
        "localhost/8",
        "/8"
      })
  void aNetworkThatIsNoCidrIsRefusedNamingItAndTheSetting(String bad) {
    assertThatThrownBy(() -> FetchDeniedNetworks.envValue(fetch("10.96.0.0/12," + bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "modelops.operator.fetch.denied-networks (Helm value operator.fetch.deniedNetworks):"
                + " '%s' is no network in CIDR notation, such as 10.96.0.0/12 or fd00::/8",
            bad);
  }
}
