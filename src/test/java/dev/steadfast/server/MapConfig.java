package dev.steadfast.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

/** A MicroProfile Config over maps: the built-in defaults (ordinal 100) and the operator's (300). */
public final class MapConfig implements Config {
  private final Map<String, String> defaults = new HashMap<>();
  private final Map<String, String> operator = new HashMap<>();

  public MapConfig withDefault(String key, String value) {
    defaults.put(key, value);
    return this;
  }

  public MapConfig with(String key, String value) {
    operator.put(key, value);
    return this;
  }

  private String raw(String key) {
    return operator.containsKey(key) ? operator.get(key) : defaults.get(key);
  }

  @Override
  public <T> T getValue(String key, Class<T> type) {
    return getOptionalValue(key, type).orElseThrow();
  }

  @Override
  public ConfigValue getConfigValue(String key) {
    String v = raw(key);
    int ordinal = operator.containsKey(key) ? 300 : 100;
    return new ConfigValue() {
      @Override
      public String getName() {
        return key;
      }

      @Override
      public String getValue() {
        return v;
      }

      @Override
      public String getRawValue() {
        return v;
      }

      @Override
      public String getSourceName() {
        return ordinal == 300 ? "env" : "defaults";
      }

      @Override
      public int getSourceOrdinal() {
        return ordinal;
      }
    };
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getOptionalValue(String key, Class<T> type) {
    String v = raw(key);
    if (v == null) {
      return Optional.empty();
    }
    if (type == String.class) {
      return Optional.of((T) v);
    }
    if (type == Boolean.class) {
      return Optional.of((T) Boolean.valueOf(v));
    }
    if (type == Integer.class) {
      return Optional.of((T) Integer.valueOf(v));
    }
    if (type == Long.class) {
      return Optional.of((T) Long.valueOf(v));
    }
    throw new IllegalArgumentException("no converter for " + type);
  }

  @Override
  public Iterable<String> getPropertyNames() {
    return List.copyOf(new java.util.HashSet<>(List.of()));
  }

  @Override
  public Iterable<ConfigSource> getConfigSources() {
    return List.of();
  }

  @Override
  public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
    return Optional.empty();
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    throw new IllegalArgumentException();
  }
}
