package dev.steadfast.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Edits of a Payara Server domain's {@code domain.xml}, shared by the tests' launcher and the
 * {@code mvn -Ppayara-server} profile, which runs {@link #main} on the unpacked server's domain1
 * before it starts it.
 */
public final class PayaraDomainXml {
  private PayaraDomainXml() {}

  /**
   * Adds to {@code domain.xml} (a path) the configuration Payara would otherwise add at first use
   * (see {@link #withEagerConfig}); a domain that has it already is left as it is.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: PayaraDomainXml <domain.xml>");
    }
    Path xml = Path.of(args[0]);
    String before = Files.readString(xml, StandardCharsets.UTF_8);
    String after = inServerConfig(before, PayaraDomainXml::withEagerConfig);
    if (!after.equals(before)) {
      Files.writeString(xml, after, StandardCharsets.UTF_8);
      System.out.println("steadfast: added Payara's first-use configuration to " + xml
          + " (avoids a 200-second first start; docs/deploy.md, \"Payara Server\")");
    }
  }

  /**
   * domain.xml with its server-config (up to its closing tag) edited; the default-config (a
   * template for other instances) stays as it is.
   */
  static String inServerConfig(String domainXml, UnaryOperator<String> edit) {
    int start = domainXml.indexOf("<config name=\"server-config\"");
    int end = domainXml.indexOf("</config>", start);
    if (start < 0 || end < 0) {
      throw new IllegalStateException("no server-config in domain.xml");
    }
    return domainXml.substring(0, start) + edit.apply(domainXml.substring(start, end))
        + domainXml.substring(end);
  }

  /**
   * server-config with the configuration elements Payara would otherwise add to it on
   * first use, while the application deploys: it adds them holding a lock of its configuration
   * modules, and its JMS configuration listener, finding no {@code jms-service} in server-config,
   * waits for that lock to add its own, until hk2's 200-second listener timeout (docs/deploy.md,
   * "Payara Server"). The elements are Payara's defaults.
   */
  static String withEagerConfig(String server) {
    StringBuilder add = new StringBuilder();
    if (!server.contains("<jms-service")) {
      add.append("      <jms-service default-jms-host=\"default_JMS_host\" type=\"EMBEDDED\">\n")
          .append("        <jms-host port=\"${JMS_PROVIDER_PORT}\" name=\"default_JMS_host\"")
          .append(" host=\"localhost\"></jms-host>\n")
          .append("      </jms-service>\n");
    }
    for (String element : new String[] {"cdi-service", "microprofile-openapi-configuration",
        "jdbc-config-source-configuration"}) {
      if (!server.contains("<" + element)) {
        add.append("      <").append(element).append("></").append(element).append(">\n");
      }
    }
    return server + add;
  }
}
