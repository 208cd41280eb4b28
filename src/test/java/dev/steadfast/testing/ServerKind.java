package dev.steadfast.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The servers the one WAR is proven on. Each finds its installation through a system property
 * the build sets (failsafe passes the paths the dependency plugin unpacked them to), else under
 * {@code target/}.
 */
public enum ServerKind {
  /** {@code java -jar payara-micro.jar --deploy}: the default, what {@code mvn -Prun} runs. */
  PAYARA_MICRO("micro", "payara.microJar", "payara-micro.jar"),
  /** WildFly's standalone server (the {@code wildfly-dist} zip), deployment scanner. */
  WILDFLY("wildfly", "steadfast.wildfly.home", "servers/wildfly"),
  /** The full Payara Server (the {@code payara} distribution zip), a domain of its own. */
  PAYARA_SERVER("payara-server", "steadfast.payara.home", "servers/payara6");

  private final String id;
  private final String property;
  private final String fallback;

  ServerKind(String id, String property, String fallback) {
    this.id = id;
    this.property = property;
    this.fallback = fallback;
  }

  /** The short name used in {@code -Dsteadfast.it.servers} and in directory names. */
  public String id() {
    return id;
  }

  /** The Payara Micro jar, or the unpacked server's home directory. */
  public Path home() {
    return Path.of(System.getProperty(property, ServerProcess.target().resolve(fallback).toString()))
        .toAbsolutePath();
  }

  public boolean isInstalled() {
    return Files.exists(home());
  }

  /**
   * Whether the build asked for this server: {@code -Dsteadfast.it.servers=micro,wildfly}
   * (default: all of them). Suites for a server not asked for are skipped; one asked for but not
   * installed fails, so a broken build never passes by skipping.
   */
  public boolean isSelected() {
    String wanted = System.getProperty("steadfast.it.servers", "all").trim().toLowerCase(Locale.ROOT);
    return wanted.equals("all") || Arrays.stream(wanted.split(","))
        .map(String::trim).anyMatch(id::equals);
  }

  @Override
  public String toString() {
    return id;
  }
}
