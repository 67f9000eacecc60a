package io.tokenserver.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenserver.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every API verticle of the process shares to protect the public port: the caller gate (null when
 * authentication and rate limiting are off) and the open-connection count.
 */
public record Protection(CallerGate gate, AtomicInteger openConnections) {

  public static Future<Protection> create(Vertx vertx, ServerConfig config, MeterRegistry registry) {
    return CallerGate.create(vertx, config, registry).map(gate -> new Protection(gate, new AtomicInteger()));
  }
}
