package dev.steadfast.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * WildFly's standalone server with a server base directory of its own under the test's
 * directory: the distribution's standalone.xml plus MicroProfile Health (docs/deploy.md gives
 * the same change as jboss-cli commands), the WAR copied unchanged into deployments/ where the
 * deployment scanner finds it, every port free. The JVM is started directly, as standalone.sh
 * would, so that a kill hits the server itself rather than a shell wrapping it.
 */
final class WildFlyLauncher implements ServerLauncher {
  private final Path home;
  private Path serverBase;
  private String warName;
  private int managementPort;

  WildFlyLauncher(Path home) {
    this.home = home;
  }

  @Override
  public List<String> command(Launch l) throws IOException {
    serverBase = l.base().resolve("wildfly");
    warName = l.warName();
    Path config = serverBase.resolve("configuration");
    if (!Files.exists(config.resolve("standalone.xml"))) {
      install(config, l.war());
    }
    managementPort = ServerLauncher.freePort();
    List<String> cmd = new ArrayList<>(List.of(ServerLauncher.java(), "-D[Standalone]",
        "-Xms64m", "-Xmx512m", "-Djava.net.preferIPv4Stack=true", "-Djava.awt.headless=true",
        "-Djboss.modules.system.pkgs=org.jboss.byteman", "-Djava.io.tmpdir=" + l.base()));
    cmd.addAll(ServerLauncher.testJvmFlags());
    // what bin/standalone.sh adds on a modular JDK
    for (String open : List.of("java.base/java.lang", "java.base/java.lang.invoke",
        "java.base/java.lang.reflect", "java.base/java.io", "java.base/java.net",
        "java.base/java.security", "java.base/java.util", "java.base/java.util.concurrent",
        "java.management/javax.management", "java.naming/javax.naming")) {
      cmd.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    for (String export : List.of("java.desktop/sun.awt", "java.naming/com.sun.jndi.ldap",
        "java.naming/com.sun.jndi.url.ldap", "java.naming/com.sun.jndi.url.ldaps",
        "jdk.naming.dns/com.sun.jndi.dns")) {
      cmd.add("--add-exports=" + export + "=ALL-UNNAMED");
    }
    cmd.addAll(List.of(
        "-Dorg.jboss.boot.log.file=" + serverBase.resolve("log/server.log"),
        "-Dlogging.configuration=file:" + config.resolve("logging.properties"),
        "-jar", home.resolve("jboss-modules.jar").toString(),
        "-mp", home.resolve("modules").toString(), "org.jboss.as.standalone",
        "-Djboss.home.dir=" + home, "-Djboss.server.base.dir=" + serverBase,
        "-Djboss.bind.address=127.0.0.1", "-Djboss.bind.address.management=127.0.0.1",
        "-Djboss.http.port=" + l.port(),
        "-Djboss.https.port=" + ServerLauncher.freePort(),
        "-Djboss.ajp.port=" + ServerLauncher.freePort(),
        "-Djboss.management.http.port=" + managementPort,
        "-Djboss.management.https.port=" + ServerLauncher.freePort()));
    return cmd;
  }

  /** standalone.xml with MicroProfile Health, and the WAR in deployments/. */
  private void install(Path config, Path war) throws IOException {
    Path dist = home.resolve("standalone/configuration");
    Files.createDirectories(config);
    try (Stream<Path> files = Files.list(dist)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Files.writeString(config.resolve("standalone.xml"), withHealth(
        Files.readString(dist.resolve("standalone.xml")),
        Files.readString(dist.resolve("standalone-microprofile.xml"))));
    Path deployments = Files.createDirectories(serverBase.resolve("deployments"));
    Files.copy(war, deployments.resolve(warName), StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * {@code standalone} with the MicroProfile Health extension and subsystem of the same
   * distribution's {@code standalone-microprofile.xml} (the default profile has MicroProfile
   * Config but not Health; the MicroProfile profile has Health but no EJB).
   */
  static String withHealth(String standalone, String microprofile) {
    String extension = line(microprofile, "<extension module=\"org.wildfly.extension.microprofile.health-smallrye\"");
    String subsystem = line(microprofile, "<subsystem xmlns=\"urn:wildfly:microprofile-health-smallrye:");
    if (standalone.contains(extension.trim())) {
      return standalone;
    }
    return standalone.replace("    </extensions>", extension + "\n    </extensions>")
        .replace("    </profile>", subsystem + "\n    </profile>");
  }

  private static String line(String xml, String start) {
    return xml.lines().filter(s -> s.trim().startsWith(start)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no '" + start + "' in the distribution"));
  }

  @Override
  public String readyUrl() {
    return "http://127.0.0.1:" + managementPort + "/health/ready";
  }

  @Override
  public String deploymentFailure(String readyBody, String log) throws IOException {
    Path failed = serverBase.resolve("deployments").resolve(warName + ".failed");
    return Files.exists(failed) ? Files.readString(failed) : null;
  }
}
