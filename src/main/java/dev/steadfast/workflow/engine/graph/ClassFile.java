package dev.steadfast.workflow.engine.graph;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a class file the diagram needs (JVM specification, chapter 4): the constant
 * pool, each method's code with its exception table and line numbers, and the bootstrap methods
 * of lambdas. Everything else is skipped.
 */
final class ClassFile {
  static final int ACC_STATIC = 0x0008;
  static final int ACC_BRIDGE = 0x0040;
  static final int ACC_SYNTHETIC = 0x1000;

  /** A constant pool entry: its tag and its fields (indexes, or the value itself). */
  record Const(int tag, Object value, int a, int b) {}

  /** A member reference (field or method): owner class, name, descriptor. */
  record Ref(String owner, String name, String descriptor) {}

  /** One exception table entry: a catch type of null means any (finally). */
  record Handler(int start, int end, int handler, String catchType) {}

  record Method(int access, String name, String descriptor, byte[] code,
      List<Handler> handlers, int[] lines) {
    /** The source line of the instruction at {@code offset}, or 0. */
    int line(int offset) {
      int line = 0;
      for (int i = 0; i + 1 < lines.length; i += 2) {
        if (lines[i] <= offset) {
          line = lines[i + 1];
        }
      }
      return line;
    }
  }

  /** A bootstrap method: its handle's target and its static arguments (pool indexes). */
  record Bootstrap(Ref method, int[] args) {}

  final String name;
  private final Const[] pool;
  final List<Method> methods = new ArrayList<>();
  final List<Bootstrap> bootstraps = new ArrayList<>();

  private ClassFile(DataInputStream in) throws IOException {
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    pool = new Const[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> pool[i] = new Const(tag, in.readUTF(), 0, 0);
        case 3 -> pool[i] = new Const(tag, in.readInt(), 0, 0);
        case 4 -> pool[i] = new Const(tag, in.readFloat(), 0, 0);
        case 5 -> pool[i++] = new Const(tag, in.readLong(), 0, 0);
        case 6 -> pool[i++] = new Const(tag, in.readDouble(), 0, 0);
        case 7, 8, 16, 19, 20 -> pool[i] = new Const(tag, null, in.readUnsignedShort(), 0);
        case 9, 10, 11, 12, 17, 18 -> pool[i] = new Const(tag, null, in.readUnsignedShort(),
            in.readUnsignedShort());
        case 15 -> pool[i] = new Const(tag, null, in.readUnsignedByte(), in.readUnsignedShort());
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    in.readUnsignedShort(); // access
    name = className(in.readUnsignedShort());
    in.readUnsignedShort(); // super
    int interfaces = in.readUnsignedShort();
    for (int i = 0; i < interfaces; i++) {
      in.readUnsignedShort();
    }
    int fields = in.readUnsignedShort();
    for (int i = 0; i < fields; i++) {
      in.readUnsignedShort();
      in.readUnsignedShort();
      in.readUnsignedShort();
      skipAttributes(in);
    }
    int methodCount = in.readUnsignedShort();
    for (int i = 0; i < methodCount; i++) {
      int access = in.readUnsignedShort();
      String mName = utf(in.readUnsignedShort());
      String desc = utf(in.readUnsignedShort());
      byte[] code = null;
      List<Handler> handlers = new ArrayList<>();
      int[] lines = new int[0];
      int attrs = in.readUnsignedShort();
      for (int j = 0; j < attrs; j++) {
        String attr = utf(in.readUnsignedShort());
        int length = in.readInt();
        if (!attr.equals("Code")) {
          in.skipNBytes(length);
          continue;
        }
        in.readUnsignedShort(); // max stack
        in.readUnsignedShort(); // max locals
        code = new byte[in.readInt()];
        in.readFully(code);
        int entries = in.readUnsignedShort();
        for (int k = 0; k < entries; k++) {
          int start = in.readUnsignedShort();
          int end = in.readUnsignedShort();
          int handler = in.readUnsignedShort();
          int type = in.readUnsignedShort();
          handlers.add(new Handler(start, end, handler, type == 0 ? null : className(type)));
        }
        int codeAttrs = in.readUnsignedShort();
        for (int k = 0; k < codeAttrs; k++) {
          String ca = utf(in.readUnsignedShort());
          int len = in.readInt();
          if (ca.equals("LineNumberTable")) {
            int n = in.readUnsignedShort();
            int[] more = new int[lines.length + n * 2];
            System.arraycopy(lines, 0, more, 0, lines.length);
            for (int m = 0; m < n; m++) {
              more[lines.length + m * 2] = in.readUnsignedShort();
              more[lines.length + m * 2 + 1] = in.readUnsignedShort();
            }
            lines = more;
          } else {
            in.skipNBytes(len);
          }
        }
      }
      methods.add(new Method(access, mName, desc, code, handlers, lines));
    }
    int classAttrs = in.readUnsignedShort();
    for (int i = 0; i < classAttrs; i++) {
      String attr = utf(in.readUnsignedShort());
      int length = in.readInt();
      if (!attr.equals("BootstrapMethods")) {
        in.skipNBytes(length);
        continue;
      }
      int n = in.readUnsignedShort();
      for (int j = 0; j < n; j++) {
        Const handle = pool[in.readUnsignedShort()];
        int[] args = new int[in.readUnsignedShort()];
        for (int k = 0; k < args.length; k++) {
          args[k] = in.readUnsignedShort();
        }
        bootstraps.add(new Bootstrap(ref(handle.b()), args));
      }
    }
  }

  static ClassFile read(byte[] bytes) throws IOException {
    return new ClassFile(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  /** The class file of {@code type}, from its class loader. */
  static ClassFile of(Class<?> type) throws IOException {
    String resource = type.getName().replace('.', '/') + ".class";
    ClassLoader loader = type.getClassLoader() == null ? ClassLoader.getSystemClassLoader()
        : type.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the class file of " + type.getName() + " cannot be read");
      }
      return read(in.readAllBytes());
    }
  }

  private void skipAttributes(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    for (int i = 0; i < n; i++) {
      in.readUnsignedShort();
      in.skipNBytes(in.readInt());
    }
  }

  Const constant(int index) {
    return pool[index];
  }

  String utf(int index) {
    return (String) pool[index].value();
  }

  String className(int index) {
    return utf(pool[index].a());
  }

  /** A field, method or interface method reference. */
  Ref ref(int index) {
    Const c = pool[index];
    Const nat = pool[c.b()];
    return new Ref(className(c.a()), utf(nat.a()), utf(nat.b()));
  }

  /** An invokedynamic's bootstrap method index and the call site's name and descriptor. */
  Map.Entry<Integer, Ref> dynamic(int index) {
    Const c = pool[index];
    Const nat = pool[c.b()];
    return Map.entry(c.a(), new Ref(null, utf(nat.a()), utf(nat.b())));
  }

  /** A method handle constant's target. */
  Ref handle(int index) {
    return ref(pool[index].b());
  }

  private final Map<String, Method> byKey = new HashMap<>();

  /** A method of this class by name and descriptor, or null. */
  Method method(String mName, String desc) {
    if (byKey.isEmpty()) {
      for (Method m : methods) {
        byKey.put(m.name() + m.descriptor(), m);
      }
    }
    return byKey.get(mName + desc);
  }
}
