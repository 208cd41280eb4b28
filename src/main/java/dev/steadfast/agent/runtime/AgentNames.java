package dev.steadfast.agent.runtime;

/** The client's routing rule from class name to URL segment (see the agents protocol spec). */
public final class AgentNames {
  private AgentNames() {}

  /** {@code TestStateAgent -> test-state-agent}, {@code MY_AGENT -> my-agent}. */
  public static String kebab(String className) {
    if (className.equals(className.toUpperCase())) {
      return className.toLowerCase().replace('_', '-');
    }
    StringBuilder b = new StringBuilder();
    for (char c : className.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('-').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    String s = b.toString().replace('_', '-');
    if (s.startsWith("-")) {
      s = s.substring(1);
    }
    if (s.endsWith("-")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
