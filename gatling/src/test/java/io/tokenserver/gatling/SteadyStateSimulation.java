package io.tokenserver.gatling;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/** A soak: {@code -Drate} arrivals per second (default 500) for {@code -Dduration} seconds (default 600). */
public class SteadyStateSimulation extends Simulation {

  private final LoadSettings settings = new LoadSettings(500, 600);

  {
    System.out.println("SteadyStateSimulation: " + settings);
    setUp(TokenMix.tokenRequests("steady state").injectOpen(
            constantUsersPerSec(settings.rate).during(settings.durationSeconds)))
        .protocols(TokenMix.protocol(settings))
        .assertions(settings.budgets());
  }
}
