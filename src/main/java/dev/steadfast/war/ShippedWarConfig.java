package dev.steadfast.war;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Defaults of the shipped WAR only (not of the library jar, which leaves a user's application
 * alone): Payara's {@code /openapi} document lists no paths, as it answers without a token and
 * the API itself shows nothing without one. At ordinal 50, below the application's own
 * {@code microprofile-config.properties} (100) and the environment (300):
 * {@code MP_OPENAPI_SCAN_DISABLE=false} brings the full document back.
 */
public final class ShippedWarConfig implements ConfigSource {
  private static final Map<String, String> VALUES = Map.of("mp.openapi.scan.disable", "true");

  @Override
  public Set<String> getPropertyNames() {
    return VALUES.keySet();
  }

  @Override
  public String getValue(String propertyName) {
    return VALUES.get(propertyName);
  }

  @Override
  public String getName() {
    return "steadfast-shipped-war";
  }

  @Override
  public int getOrdinal() {
    return 50;
  }

  @Override
  public Map<String, String> getProperties() {
    return VALUES;
  }
}
