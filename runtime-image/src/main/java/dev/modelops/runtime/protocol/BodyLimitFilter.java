package dev.modelops.runtime.protocol;

import dev.modelops.runtime.config.RuntimeConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses a body whose declared length is over the limit before reading a byte of it. */
public class BodyLimitFilter {

  @Inject RuntimeConfig config;

  @ServerRequestFilter(preMatching = true)
  public Response check(ContainerRequestContext request) {
    int length = request.getLength();
    if (length > config.maxRequestBytes()) {
      return V2Errors.body(
          413,
          "the request body has %d bytes; the limit is %d"
              .formatted(length, config.maxRequestBytes()));
    }
    return null;
  }
}
