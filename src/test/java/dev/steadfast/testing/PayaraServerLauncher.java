package dev.steadfast.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The full Payara Server with a domain of its own: a copy of the distribution's domain1 whose
 * listener ports are read from system properties (so every start takes free ones), and the WAR
 * deployed by a post-boot command file at the first start (the domain remembers it after). The
 * server's JVM is started directly with the command {@code asadmin start-domain --dry-run}
 * prints, so that a kill hits the server, not asadmin.
 */
final class PayaraServerLauncher implements ServerLauncher {
  /** domain1's fixed ports in the server's own config, and the property each becomes. */
  private static final String[][] PORTS = {
      {"8080", "it.http.port"}, {"8181", "it.https.port"}, {"4848", "it.admin.port"},
      {"8686", "it.jmx.port"}, {"3700", "it.iiop.port"}, {"3820", "it.iiop.ssl.port"},
      {"3920", "it.iiop.mutual.port"}};

  private final Path home;
  private Path domains;
  private Path postBoot;
  private List<String> dryRun;
  private int port;

  PayaraServerLauncher(Path home) {
    this.home = home;
  }

  @Override
  public List<String> command(Launch l) throws IOException, InterruptedException {
    port = l.port();
    domains = l.base().resolve("payara-server");
    Path domain = domains.resolve("domain1");
    postBoot = domains.resolve("post-boot-commands.asadmin");
    if (!Files.exists(domain)) {
      install(domain, l);
    }
    if (dryRun == null) {
      dryRun = dryRun();
    }
    List<String> cmd = new ArrayList<>();
    for (String arg : dryRun) {
      if (arg.equals("com.sun.enterprise.glassfish.bootstrap.ASMain")) {
        cmd.add("-Djava.io.tmpdir=" + l.base());
        List<String> flags = ServerLauncher.testJvmFlags();
        if (flags.stream().anyMatch(f -> f.matches("-XX:\\+Use\\w+GC"))) {
          // one collector: the domain's own choice gives way to the tests'
          cmd.removeIf(f -> f.matches("-XX:\\+Use\\w+GC"));
        }
        cmd.addAll(flags);
        cmd.add("-D" + PORTS[0][1] + "=" + l.port());
        for (int i = 1; i < PORTS.length; i++) {
          cmd.add("-D" + PORTS[i][1] + "=" + ServerLauncher.freePort());
        }
      }
      cmd.add(arg);
    }
    return cmd;
  }

  private void install(Path domain, Launch l) throws IOException {
    copyTree(home.resolve("glassfish/domains/domain1"), domain);
    Path xml = domain.resolve("config/domain.xml");
    Files.writeString(xml, PayaraDomainXml.inServerConfig(Files.readString(xml),
        server -> PayaraDomainXml.withEagerConfig(withPortProperties(server))));
    // --force: the distribution's domain1 may have it deployed already (mvn -Ppayara-server)
    Files.writeString(postBoot, "deploy --force=true --contextroot " + l.contextRoot()
        + " --name steadfast " + l.war() + "\n");
  }

  /** server-config with its listener ports as {@code ${it.*.port}}, bound to the loopback. */
  static String withPortProperties(String server) {
    for (String[] p : PORTS) {
      server = server.replace("port=\"" + p[0] + "\"", "port=\"${" + p[1] + "}\"");
    }
    // loopback only, like every other server the tests start
    return server.replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"")
        .replace("<network-listener port=", "<network-listener address=\"127.0.0.1\" port=");
  }

  /** The server's JVM command line, as asadmin would launch it (without reading stdin). */
  private List<String> dryRun() throws IOException, InterruptedException {
    Path out = domains.resolve("dry-run.txt");
    Process p = new ProcessBuilder(home.resolve("bin/asadmin").toString(), "start-domain",
        "--dry-run", "--domaindir", domains.toString(), "--postbootcommandfile",
        postBoot.toString(), "domain1").redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("asadmin start-domain --dry-run failed:\n"
          + Files.readString(out));
    }
    List<String> lines = Files.readAllLines(out);
    int from = lines.indexOf(lines.stream().filter(s -> s.endsWith("/bin/java")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no java command in:\n" + lines)));
    List<String> cmd = new ArrayList<>();
    for (String arg : lines.subList(from, lines.size())) {
      if (arg.isBlank() || arg.startsWith("Command start-domain")) {
        break;
      }
      cmd.add(arg.strip());
    }
    cmd.set(0, ServerLauncher.java());
    // asadmin would write the admin password to the server's stdin
    flag(cmd, "-read-stdin", "false");
    return cmd;
  }

  private static void flag(List<String> cmd, String name, String value) {
    int i = cmd.indexOf(name);
    if (i >= 0 && i + 1 < cmd.size()) {
      cmd.set(i + 1, value);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  @Override
  public String readyUrl() {
    return "http://127.0.0.1:" + port + "/health/ready";
  }

  @Override
  public String deploymentFailure(String readyBody, String log) {
    for (String marker : List.of("Exception while loading the app", "Error occurred during deployment",
        "Exception while deploying")) {
      if (log.contains(marker)) {
        return marker;
      }
    }
    return null;
  }

  @Override
  public Path serverLog() {
    return domains == null ? null : domains.resolve("domain1/logs/server.log");
  }

  /** Deployed: later starts of this domain load the application it remembers. */
  @Override
  public void ready() throws IOException {
    Files.writeString(postBoot, "");
  }
}
