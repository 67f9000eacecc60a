package io.tokenserver.inspect;

import java.nio.charset.StandardCharsets;

/** Reads Agora's packing (little-endian; strings and byte arrays prefixed by an unsigned 16-bit length). */
final class ByteReader {

  private final byte[] data;
  private int position;

  ByteReader(byte[] data) {
    this.data = data;
  }

  int position() {
    return position;
  }

  int u16(String what) throws MalformedTokenException {
    need(2, what);
    int value = data[position] & 0xFF | (data[position + 1] & 0xFF) << 8;
    position += 2;
    return value;
  }

  long u32(String what) throws MalformedTokenException {
    need(4, what);
    long value = data[position] & 0xFFL | (data[position + 1] & 0xFFL) << 8
        | (data[position + 2] & 0xFFL) << 16 | (data[position + 3] & 0xFFL) << 24;
    position += 4;
    return value;
  }

  byte[] bytes(String what) throws MalformedTokenException {
    int length = u16(what);
    need(length, what);
    byte[] value = new byte[length];
    System.arraycopy(data, position, value, 0, length);
    position += length;
    return value;
  }

  String string(String what) throws MalformedTokenException {
    return new String(bytes(what), StandardCharsets.UTF_8);
  }

  private void need(int bytes, String what) throws MalformedTokenException {
    if (data.length - position < bytes) {
      throw new MalformedTokenException("The token is truncated: it ends inside the " + what + ".");
    }
  }
}
