package dev.steadfast.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * WebSocket clients that only read, many on one selector thread: what the fan-out benchmark's
 * idle clients do, at a fraction of the JDK client's CPU per frame (no executor hop, no
 * CompletableFuture per frame, no CharSequence decoding of frames that are not looked at). On a
 * two-core machine the idle clients share the cores with the server; the lighter they are, the
 * more of "the last client had the frame" is the server's time.
 *
 * <p>It speaks what it needs of RFC 6455 for that: the opening handshake (the server's 101 is
 * checked, its accept key is not), unmasked frames from the server (continuations are
 * reassembled), pings answered with pongs, a close answered and the socket closed. Frames it
 * sends are masked, as a client's must be.
 */
final class RawSocketClients implements AutoCloseable {
  private final Selector selector;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Client> toRegister = new ConcurrentLinkedQueue<>();
  private final SecureRandom random = new SecureRandom();
  private volatile boolean running = true;

  RawSocketClients() throws IOException {
    selector = Selector.open();
    loop = new Thread(this::run, "raw-websocket-clients");
    loop.setDaemon(true);
    loop.start();
  }

  /** Connects to {@code ws://host:port/path?query}; completes when the agent's identity came. */
  CompletableFuture<Client> open(URI uri) {
    Client c = new Client(uri);
    try {
      c.channel = SocketChannel.open();
      c.channel.configureBlocking(false);
      c.channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
    } catch (IOException e) {
      c.admitted.completeExceptionally(e);
      return c.admitted;
    }
    toRegister.add(c);
    selector.wakeup();
    return c.admitted;
  }

  private void run() {
    ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    while (running) {
      try {
        selector.select(100);
        for (Client c; (c = toRegister.poll()) != null; ) {
          c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey k = keys.next();
          keys.remove();
          Client c = (Client) k.attachment();
          try {
            if (k.isConnectable()) {
              c.channel.finishConnect();
              c.sendHandshake(random);
              k.interestOps(SelectionKey.OP_READ);
            } else if (k.isReadable()) {
              in.clear();
              int n = c.channel.read(in);
              if (n < 0) {
                c.fail(new IOException("the server closed the connection"));
                k.cancel();
                continue;
              }
              in.flip();
              c.received(in, random);
            }
          } catch (IOException | RuntimeException e) {
            c.fail(e);
            k.cancel();
          }
        }
      } catch (IOException e) {
        if (running) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey k : selector.keys()) {
      k.channel().close();
    }
    selector.close();
  }

  /** One connection. Its fields are touched by the selector thread only, but for the counts. */
  final class Client extends AgentFanoutBenchmark.Reader {
    private final URI uri;
    private final CompletableFuture<Client> admitted = new CompletableFuture<>();
    private SocketChannel channel;
    private SelectionKey key;
    private boolean upgraded;
    /** Bytes received and not yet a whole frame (or the handshake response). */
    private byte[] pending = new byte[0];
    private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();

    Client(URI uri) {
      this.uri = uri;
    }

    @Override
    void admitted() {
      admitted.complete(this);
    }

    @Override
    void close() {
      try {
        send(0x8, new byte[] {0x03, (byte) 0xE8}, random); // 1000, normal closure
      } catch (IOException e) {
        // already gone
      }
    }

    void fail(Throwable e) {
      admitted.completeExceptionally(e);
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    void sendHandshake(SecureRandom rnd) throws IOException {
      byte[] nonce = new byte[16];
      rnd.nextBytes(nonce);
      String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
          + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    void received(ByteBuffer in, SecureRandom rnd) throws IOException {
      ByteBuffer buf;
      if (pending.length == 0) {
        buf = in;
      } else {
        buf = ByteBuffer.allocate(pending.length + in.remaining());
        buf.put(pending).put(in).flip();
      }
      if (!upgraded) {
        int end = headerEnd(buf);
        if (end < 0) {
          keep(buf);
          return;
        }
        byte[] head = new byte[end - buf.position()];
        buf.get(head);
        String status = new String(head, StandardCharsets.US_ASCII);
        if (!status.startsWith("HTTP/1.1 101")) {
          throw new IOException("no upgrade: " + status.lines().findFirst().orElse(""));
        }
        upgraded = true;
      }
      while (buf.remaining() >= 2) {
        int start = buf.position();
        int b0 = buf.get() & 0xFF;
        int b1 = buf.get() & 0xFF;
        long len = b1 & 0x7F;
        if (len == 126) {
          if (buf.remaining() < 2) {
            buf.position(start);
            break;
          }
          len = buf.getShort() & 0xFFFF;
        } else if (len == 127) {
          if (buf.remaining() < 8) {
            buf.position(start);
            break;
          }
          len = buf.getLong();
        }
        if ((b1 & 0x80) != 0 || buf.remaining() < len) {
          if ((b1 & 0x80) != 0) {
            throw new IOException("a masked frame from the server");
          }
          buf.position(start);
          break;
        }
        byte[] payload = new byte[(int) len];
        buf.get(payload);
        frame(b0 & 0x80, b0 & 0x0F, payload, rnd);
      }
      keep(buf);
    }

    private void frame(int fin, int opcode, byte[] payload, SecureRandom rnd) throws IOException {
      switch (opcode) {
        case 0x0, 0x1 -> {
          message.write(payload, 0, payload.length);
          if (fin != 0) {
            frame(message.toString(StandardCharsets.UTF_8));
            message.reset();
          }
        }
        case 0x9 -> send(0xA, payload, rnd);
        case 0x8 -> {
          send(0x8, payload, rnd);
          channel.close();
          admitted.completeExceptionally(new IOException("closed by the server"));
        }
        default -> { } // pong, binary: not expected, nothing to do
      }
    }

    private void keep(ByteBuffer buf) {
      pending = new byte[buf.remaining()];
      buf.get(pending);
    }

    private int headerEnd(ByteBuffer buf) {
      for (int i = buf.position(); i + 3 < buf.limit(); i++) {
        if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r'
            && buf.get(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }

    private void send(int opcode, byte[] payload, SecureRandom rnd) throws IOException {
      if (payload.length > 125) {
        throw new IOException("a control frame of more than 125 bytes");
      }
      ByteBuffer out = ByteBuffer.allocate(6 + payload.length);
      out.put((byte) (0x80 | opcode)).put((byte) (0x80 | payload.length));
      byte[] mask = new byte[4];
      rnd.nextBytes(mask);
      out.put(mask);
      for (int i = 0; i < payload.length; i++) {
        out.put((byte) (payload[i] ^ mask[i & 3]));
      }
      out.flip();
      synchronized (this) {
        writeFully(out);
      }
    }

    private void writeFully(ByteBuffer out) throws IOException {
      // small frames on a socket whose buffer is empty: a non-blocking write takes them whole,
      // but do not assume it
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          if (System.nanoTime() > deadline) {
            throw new IOException("could not write to the server for 5 s");
          }
          Thread.onSpinWait();
        }
      }
    }
  }
}
