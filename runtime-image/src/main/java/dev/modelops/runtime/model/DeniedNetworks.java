package dev.modelops.runtime.model;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Networks a model is never fetched from, checked on every host of a download and its redirects: by
 * default the link-local ones (169.254.0.0/16, where clouds answer instance metadata with
 * credentials, and fe80::/10). A cluster's own ranges can be added ({@value #ENV}, CIDRs separated
 * by commas; empty for none). The host's addresses are resolved when checked: a name that resolves
 * elsewhere when the client connects a moment later is not caught.
 */
public record DeniedNetworks(List<String> cidrs) {

  public static final String ENV = "MODELOPS_FETCH_DENIED_NETWORKS";
  public static final String DEFAULT_TEXT = "169.254.0.0/16,fe80::/10";
  public static final DeniedNetworks DEFAULT = parse(DEFAULT_TEXT);

  /** The networks of {@code text}, CIDRs separated by commas; a bad one is refused naming it. */
  public static DeniedNetworks parse(String text) {
    List<String> cidrs = new ArrayList<>();
    for (String part : text.split(",")) {
      String cidr = part.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      if (!valid(cidr)) {
        throw new IllegalArgumentException(
            "%s: '%s' is no network in CIDR notation, such as 169.254.0.0/16 or fe80::/10"
                .formatted(ENV, cidr));
      }
      cidrs.add(cidr);
    }
    return new DeniedNetworks(List.copyOf(cidrs));
  }

  /** The denied network one of the host's addresses is in, with that address; empty if none. */
  public Optional<String> denial(String host) {
    if (cidrs.isEmpty() || host == null) {
      return Optional.empty();
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host.replaceAll("^\\[|]$", ""));
    } catch (UnknownHostException e) {
      // Nothing to connect to either: the client says so itself.
      return Optional.empty();
    }
    for (InetAddress address : addresses) {
      for (String cidr : cidrs) {
        if (contains(cidr, address)) {
          return Optional.of("%s is in %s".formatted(address.getHostAddress(), cidr));
        }
      }
    }
    return Optional.empty();
  }

  private static boolean valid(String cidr) {
    try {
      network(cidr);
      return true;
    } catch (IllegalArgumentException | UnknownHostException e) {
      return false;
    }
  }

  private static boolean contains(String cidr, InetAddress address) {
    try {
      InetAddress network = network(cidr);
      byte[] a = address.getAddress();
      byte[] n = network.getAddress();
      if (a.length != n.length) {
        return false;
      }
      int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
      int shift = a.length * 8 - bits;
      return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, n).shiftRight(shift));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The network's address; only a literal address (no name lookup) with a prefix in range. */
  private static InetAddress network(String cidr) throws UnknownHostException {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("no prefix length");
    }
    String address = cidr.substring(0, slash);
    if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      throw new IllegalArgumentException("not an address");
    }
    InetAddress network = InetAddress.getByName(address);
    int bits = Integer.parseInt(cidr.substring(slash + 1));
    if (bits < 0 || bits > network.getAddress().length * 8) {
      throw new IllegalArgumentException("prefix out of range");
    }
    return network;
  }
}
