package dev.modelops.runtime;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from a real scrape of the server's {@code /q/metrics}. */
public final class Scrape {

  private Scrape() {}

  /** The value of the sample {@code name} whose labels include {@code label}, or 0 without one. */
  public static double value(String name, String label) {
    return value(given().get("/q/metrics").asString(), name, label);
  }

  public static double value(String exposition, String name, String label) {
    Matcher m =
        Pattern.compile(
                "^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label) + "[^}]*} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(exposition);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
