package dev.steadfast.api;

import jakarta.json.spi.JsonProvider;

/**
 * One JSON-P provider for the API. {@code jakarta.json.Jsonp.P.createX} looks the provider up with a
 * ServiceLoader on every call; for instance details with 1,000 steps that lookup was most of the
 * answer time.
 */
final class Jsonp {
  static final JsonProvider P = JsonProvider.provider();

  private Jsonp() {}
}
