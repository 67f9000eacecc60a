package io.tokenserver.gatling;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;

import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

/**
 * The minute an event opens: arrivals ramp from 1/s to {@code -Drate} over {@code -Dduration} seconds,
 * then stay at the rate for {@code -Dhold} seconds (default 0). Open model: arrivals do not wait for
 * responses, so a slow server faces a growing backlog, as it would in production.
 */
public class TokenBurstSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings(1000, 60);
  private final int holdSeconds = LoadSettings.integer("hold", 0);

  {
    System.out.println("TokenBurstSimulation: " + settings + " hold=" + holdSeconds + "s");
    List<OpenInjectionStep> arrivals = new ArrayList<>();
    arrivals.add(rampUsersPerSec(1).to(settings.rate).during(settings.durationSeconds));
    if (holdSeconds > 0) {
      arrivals.add(constantUsersPerSec(settings.rate).during(holdSeconds));
    }
    setUp(TokenMix.tokenRequests("token burst").injectOpen(arrivals))
        .protocols(TokenMix.protocol(settings))
        .assertions(settings.budgets());
  }
}
