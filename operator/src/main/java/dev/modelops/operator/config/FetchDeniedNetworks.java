package dev.modelops.operator.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The networks the runtime pods' fetch steps refuse, as they read them from {@value #ENV}: the
 * link-local ones always (cloud metadata answers there with credentials), and those the operator is
 * told to add. A bad CIDR stops the operator at start, not a pod's fetch later.
 */
@ApplicationScoped
public class FetchDeniedNetworks {

  private static final Logger LOG = Logger.getLogger(FetchDeniedNetworks.class);

  /** What the runtime's fetch command reads (its DeniedNetworks). */
  public static final String ENV = "MODELOPS_FETCH_DENIED_NETWORKS";

  /** The runtime's own default, kept whatever is added: setting the variable replaces it. */
  public static final List<String> LINK_LOCAL = List.of("169.254.0.0/16", "fe80::/10");

  static final String SETTING = "modelops.operator.fetch.denied-networks";

  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  void check(@Observes StartupEvent start, OperatorConfig config) {
    Optional<String> value = envValue(config.fetch());
    LOG.infof(
        "the fetch steps refuse %s",
        value.map(v -> "the networks " + v).orElse("the link-local networks (their default)"));
  }

  /**
   * The value of {@value #ENV} for the fetch steps: empty when nothing is added (the runtime's
   * default holds), else the link-local networks and the added ones. A CIDR that is none is refused
   * with an {@link IllegalArgumentException} naming it and the setting.
   */
  public static Optional<String> envValue(OperatorConfig.Fetch fetch) {
    List<String> added = parse(fetch.deniedNetworks().orElse(""));
    if (added.isEmpty()) {
      return Optional.empty();
    }
    Set<String> all = new LinkedHashSet<>(LINK_LOCAL);
    all.addAll(added);
    return Optional.of(String.join(",", all));
  }

  /** The CIDRs of a comma-separated list; blanks between commas are skipped. */
  static List<String> parse(String text) {
    List<String> cidrs = new ArrayList<>();
    for (String part : text.split(",")) {
      String cidr = part.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      if (!valid(cidr)) {
        throw new IllegalArgumentException(
            ("%s (Helm value operator.fetch.deniedNetworks): '%s' is no network in CIDR notation,"
                    + " such as 10.96.0.0/12 or fd00::/8")
                .formatted(SETTING, cidr));
      }
      cidrs.add(cidr);
    }
    return cidrs;
  }

  /**
   * A literal IPv4 or IPv6 address (never a name to look up) and a prefix length that fits it: at
   * least as strict as the runtime, which refuses to fetch at all on a list it cannot read.
   */
  static boolean valid(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0 || !cidr.substring(slash + 1).matches("[0-9]{1,3}")) {
      return false;
    }
    String address = cidr.substring(0, slash);
    int bits = Integer.parseInt(cidr.substring(slash + 1));
    if (IPV4.matcher(address).matches()) {
      return bits <= 32;
    }
    if (!IPV6.matcher(address).matches()) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address
          && bits <= 128;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
