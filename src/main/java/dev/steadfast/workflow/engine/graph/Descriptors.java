package dev.steadfast.workflow.engine.graph;

import java.util.ArrayList;
import java.util.List;

/** Method descriptors, e.g. {@code (Ljava/lang/String;J)V}: their parameter and return types. */
final class Descriptors {
  private Descriptors() {}

  static List<String> parameters(String descriptor) {
    List<String> out = new ArrayList<>();
    int i = 1;
    while (descriptor.charAt(i) != ')') {
      int start = i;
      while (descriptor.charAt(i) == '[') {
        i++;
      }
      if (descriptor.charAt(i) == 'L') {
        i = descriptor.indexOf(';', i);
      }
      i++;
      out.add(descriptor.substring(start, i));
    }
    return out;
  }

  static String returnType(String descriptor) {
    return descriptor.substring(descriptor.indexOf(')') + 1);
  }
}
