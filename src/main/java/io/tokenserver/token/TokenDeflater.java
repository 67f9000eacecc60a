package io.tokenserver.token;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

/**
 * Compresses a token's content to exactly the bytes a default {@link Deflater} gives (zlib, level 6, zlib
 * wrapper, as {@code io.agora.media.Utils#compress} calls it), at a fraction of its cost.
 *
 * <p>For a token-sized input zlib spends most of its time on work whose result it throws away: clearing its
 * 64 KiB hash table on every reset, and building dynamic Huffman trees only to find the block smaller with the
 * fixed codes, which it is for most tokens. This class runs zlib's own match finder ({@code deflate_slow} and
 * {@code longest_match} of deflate.c at level 6, clearing only the hash table entries an input set), then
 * proves from the symbol counts alone that zlib would pick the fixed-code block: a lower bound of the dynamic
 * block's size (the symbols' optimal Huffman cost, plus the least its code lengths can take to send) that is
 * no smaller than the fixed-code block. Where the proof holds it writes that block itself. Otherwise, for
 * input over {@link #MAX_INPUT} bytes, and on a JVM whose zlib answers a self-check differently, the input
 * goes to a {@link Deflater}; after two inputs of one length in a row it could not prove, the fast path is
 * tried on one input of that length in 16 only.
 *
 * <p>Not thread-safe: one instance per thread.
 */
final class TokenDeflater {

  /** Inputs the fast path takes: within one block and one window, so no block splits and no sliding. */
  static final int MAX_INPUT = 4096;

  // deflate.c, level 6: good_length, max_lazy, nice_length, max_chain.
  private static final int GOOD_MATCH = 8;
  private static final int MAX_LAZY = 16;
  private static final int NICE_MATCH = 128;
  private static final int MAX_CHAIN = 128;
  private static final int TOO_FAR = 4096;
  private static final int MIN_MATCH = 3;
  private static final int MAX_MATCH = 258;
  // Memory level 8: a 15-bit hash of three bytes, shifted 5 bits per byte.
  private static final int HASH_MASK = (1 << 15) - 1;
  private static final int HASH_SHIFT = 5;

  // trees.c
  private static final int LITERALS = 256;
  private static final int END_BLOCK = 256;
  private static final int LENGTH_CODES = 29;
  private static final int L_CODES = LITERALS + 1 + LENGTH_CODES;
  private static final int D_CODES = 30;
  private static final int STATIC_TREES = 1;
  private static final int REPZ_3_10 = 17;
  private static final int REPZ_11_138 = 18;
  private static final int[] EXTRA_LBITS =
      {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  private static final int[] EXTRA_DBITS =
      {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
  /** Where a code length stands in the order the bit-length code's own lengths are sent (bl_order). */
  private static final int[] SEND_RANK_OF_LENGTH = {3, 17, 15, 13, 11, 9, 7, 5, 4, 6, 8, 10, 12, 14, 16, 18};

  // The fixed codes and lookup tables zlib's tr_static_init builds.
  private static final int[] STATIC_LTREE_LEN = new int[L_CODES + 2];
  private static final int[] STATIC_LTREE_CODE = new int[L_CODES + 2];
  private static final int[] STATIC_DTREE_CODE = new int[D_CODES];
  private static final int STATIC_DTREE_LEN = 5;
  private static final int[] DIST_CODE = new int[512];
  private static final int[] LENGTH_CODE = new int[MAX_MATCH - MIN_MATCH + 1];
  private static final int[] BASE_LENGTH = new int[LENGTH_CODES];
  private static final int[] BASE_DIST = new int[D_CODES];

  static {
    int length = 0;
    int code;
    for (code = 0; code < LENGTH_CODES - 1; code++) {
      BASE_LENGTH[code] = length;
      for (int n = 0; n < (1 << EXTRA_LBITS[code]); n++) {
        LENGTH_CODE[length++] = code;
      }
    }
    // Length 258 could be code 284 plus 5 extra bits, or code 285; zlib uses 285.
    LENGTH_CODE[length - 1] = code;
    int dist = 0;
    for (code = 0; code < 16; code++) {
      BASE_DIST[code] = dist;
      for (int n = 0; n < (1 << EXTRA_DBITS[code]); n++) {
        DIST_CODE[dist++] = code;
      }
    }
    dist >>= 7;
    for (; code < D_CODES; code++) {
      BASE_DIST[code] = dist << 7;
      for (int n = 0; n < (1 << (EXTRA_DBITS[code] - 7)); n++) {
        DIST_CODE[256 + dist++] = code;
      }
    }
    int[] lengthCount = new int[16];
    int n = 0;
    while (n <= 143) { STATIC_LTREE_LEN[n++] = 8; lengthCount[8]++; }
    while (n <= 255) { STATIC_LTREE_LEN[n++] = 9; lengthCount[9]++; }
    while (n <= 279) { STATIC_LTREE_LEN[n++] = 7; lengthCount[7]++; }
    while (n <= 287) { STATIC_LTREE_LEN[n++] = 8; lengthCount[8]++; }
    // gen_codes: canonical codes in order of length, bit-reversed as deflate sends them.
    int[] nextCode = new int[16];
    code = 0;
    for (int bits = 1; bits <= 15; bits++) {
      code = (code + lengthCount[bits - 1]) << 1;
      nextCode[bits] = code;
    }
    for (n = 0; n < STATIC_LTREE_LEN.length; n++) {
      STATIC_LTREE_CODE[n] = reverse(nextCode[STATIC_LTREE_LEN[n]]++, STATIC_LTREE_LEN[n]);
    }
    for (n = 0; n < D_CODES; n++) {
      STATIC_DTREE_CODE[n] = reverse(n, STATIC_DTREE_LEN);
    }
  }

  /** Whether this JVM's zlib gives the bytes this class writes; checked once, on token-shaped samples. */
  private static final boolean PLATFORM_AGREES = platformAgrees();

  /**
   * Inputs of one length in a row the fast path could not prove, after which it tries one input of that length
   * in {@link #RETRY_EVERY} (a power of two).
   */
  private static final int UNPROVEN_IN_A_ROW = 2;
  private static final int RETRY_EVERY = 16;

  private final Deflater deflater = new Deflater();
  private final boolean fastPath;
  /**
   * Per input length, as tokens of one kind with names of one length (UUIDs, say) have one length: such tokens
   * come out with fixed and dynamic blocks within a byte of each other, which only zlib's own trees decide, and
   * trying the fast path first would only add its cost.
   */
  private final byte[] unprovenInARow = new byte[MAX_INPUT + 1];
  private final byte[] skipped = new byte[MAX_INPUT + 1];

  // Match finder. After each input, only the head[] entries it set are cleared, not the whole table.
  private final byte[] window = new byte[MAX_INPUT + MAX_MATCH + 1];
  private final int[] head = new int[HASH_MASK + 1];
  private final int[] prev = new int[MAX_INPUT];
  private final int[] headsSet = new int[MAX_INPUT];
  private int headCount;
  private int insertHash;
  private int strStart;
  private int lookahead;
  private int matchStart;
  private int prevLength;

  // The block's symbols: a distance (0 for a literal) and a literal or a match length - 3; their counts.
  private final int[] symbolDistance = new int[MAX_INPUT];
  private final int[] symbolLength = new int[MAX_INPUT];
  private int symbols;
  private final int[] literalFreq = new int[L_CODES];
  private final int[] distanceFreq = new int[D_CODES];
  /** zlib's static_len, and the extra bits of lengths and distances (counted in both block kinds). */
  private long fixedBits;
  private long extraBits;
  private final UsedCodes literalCodes = new UsedCodes(L_CODES);
  private final UsedCodes distanceCodes = new UsedCodes(D_CODES);
  /** Code-length symbols of the dynamic header: see {@link UsedCodes#countRuns}; the first four are counts. */
  private final int[] runs = new int[5];
  private final int[] sortedFreq = new int[L_CODES];
  private final int[] freqCount = new int[64];
  private final long[] merged = new long[L_CODES];

  // A fixed-code block is written only when it is shorter than the stored block (input + 4 bytes).
  private byte[] output = new byte[2 + MAX_INPUT + 4 + 4];
  private int outputLength;
  private long bitBuffer;
  private int bitCount;

  /** Inputs compressed by the fast path, by the {@link Deflater}, and tried first without proof; for tests. */
  long fastCount;
  long deflaterCount;
  long unprovenCount;

  TokenDeflater() {
    this(PLATFORM_AGREES);
  }

  /** With the fast path on or off whatever the self-check found; for tests. */
  TokenDeflater(boolean fastPath) {
    this.fastPath = fastPath;
  }

  /** Whether this JVM's zlib agrees with the fast path, which is then used; otherwise every input is deflated. */
  static boolean fastPathAvailable() {
    return PLATFORM_AGREES;
  }

  /** Compresses {@code input[0, length)}; the result is {@link #output()}{@code [0, returned length)}. */
  int deflate(byte[] input, int length) {
    if (fastPath && length <= MAX_INPUT && worthTrying(length)) {
      int written = deflateFixed(input, length);
      if (written > 0) {
        unprovenInARow[length] = 0;
        fastCount++;
        return written;
      }
      if (unprovenInARow[length] < UNPROVEN_IN_A_ROW) {
        unprovenInARow[length]++;
      }
      unprovenCount++;
    }
    deflaterCount++;
    return deflateWithZlib(input, length);
  }

  private boolean worthTrying(int length) {
    // The byte counter wraps; its low bits still count to RETRY_EVERY.
    return unprovenInARow[length] < UNPROVEN_IN_A_ROW || (++skipped[length] & (RETRY_EVERY - 1)) == 0;
  }

  /** The buffer {@link #deflate} wrote into; valid until the next call. */
  byte[] output() {
    return output;
  }

  private int deflateWithZlib(byte[] input, int length) {
    deflater.reset();
    deflater.setInput(input, 0, length);
    deflater.finish();
    int written = 0;
    while (!deflater.finished()) {
      if (written == output.length) {
        output = Arrays.copyOf(output, output.length * 2);
      }
      written += deflater.deflate(output, written, output.length - written);
    }
    return written;
  }

  /** The zlib stream with one fixed-code block, or 0 when zlib is not proven to pick that block. */
  private int deflateFixed(byte[] input, int length) {
    System.arraycopy(input, 0, window, 0, length);
    // zlib compares up to MAX_MATCH bytes past the end and then caps the match at what is left; zeros there
    // give the same choices (see longestMatch).
    Arrays.fill(window, length, length + MAX_MATCH + 1, (byte) 0);
    findMatches(length);
    long fixedBytes = (fixedBits + 3 + 7) >>> 3;
    if (fixedBytes > (leastDynamicBits() + 3 + 7) >>> 3 || length + 4 <= fixedBytes) {
      return 0; // zlib might send dynamic trees or a stored block: let it decide
    }
    outputLength = 0;
    bitBuffer = 0;
    bitCount = 0;
    // The zlib header for level 6 without a dictionary, the final block, then the Adler-32 of the input.
    output[outputLength++] = 0x78;
    output[outputLength++] = (byte) 0x9C;
    sendBits((STATIC_TREES << 1) + 1, 3);
    sendSymbols();
    alignToByte();
    int adler = adler32(input, length);
    output[outputLength++] = (byte) (adler >>> 24);
    output[outputLength++] = (byte) (adler >>> 16);
    output[outputLength++] = (byte) (adler >>> 8);
    output[outputLength++] = (byte) adler;
    return outputLength;
  }

  /** deflate_slow with Z_FINISH and all input in the window: the symbols of the block, and their counts. */
  private void findMatches(int length) {
    Arrays.fill(literalFreq, 0);
    Arrays.fill(distanceFreq, 0);
    literalFreq[END_BLOCK] = 1;
    fixedBits = STATIC_LTREE_LEN[END_BLOCK];
    extraBits = 0;
    symbols = 0;
    strStart = 0;
    lookahead = length;
    int matchLength = MIN_MATCH - 1;
    boolean matchAvailable = false;
    insertHash = lookahead >= MIN_MATCH ? (((window[0] & 0xFF) << HASH_SHIFT) ^ (window[1] & 0xFF)) & HASH_MASK : 0;
    while (lookahead != 0) {
      int hashHead = lookahead >= MIN_MATCH ? insertString(strStart) : 0;
      prevLength = matchLength;
      int prevMatch = matchStart;
      matchLength = MIN_MATCH - 1;
      // Position 0 is zlib's NIL: never a match. Distances stay under zlib's MAX_DIST because inputs do.
      if (hashHead != 0 && prevLength < MAX_LAZY) {
        matchLength = longestMatch(hashHead);
        if (matchLength == MIN_MATCH && strStart - matchStart > TOO_FAR) {
          matchLength = MIN_MATCH - 1;
        }
      }
      if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
        int maxInsert = strStart + lookahead - MIN_MATCH;
        tallyMatch(strStart - 1 - prevMatch, prevLength - MIN_MATCH);
        lookahead -= prevLength - 1;
        int remaining = prevLength - 2;
        do {
          if (++strStart <= maxInsert) {
            insertString(strStart);
          }
        } while (--remaining != 0);
        matchAvailable = false;
        matchLength = MIN_MATCH - 1;
        strStart++;
      } else if (matchAvailable) {
        tallyLiteral(window[strStart - 1] & 0xFF);
        strStart++;
        lookahead--;
      } else {
        matchAvailable = true;
        strStart++;
        lookahead--;
      }
    }
    if (matchAvailable) {
      tallyLiteral(window[strStart - 1] & 0xFF);
    }
    for (int i = 0; i < headCount; i++) {
      head[headsSet[i]] = 0;
    }
    headCount = 0;
  }

  private int insertString(int position) {
    insertHash = ((insertHash << HASH_SHIFT) ^ (window[position + MIN_MATCH - 1] & 0xFF)) & HASH_MASK;
    int previous = head[insertHash];
    prev[position] = previous;
    head[insertHash] = position;
    headsSet[headCount++] = insertHash;
    return previous;
  }

  /**
   * longest_match: the longest match over prevLength along the hash chain; sets matchStart when it finds one.
   * A match that runs past the input stops the search (niceMatch is at most what is left), so the bytes past
   * the end never decide between two candidates.
   */
  private int longestMatch(int curMatch) {
    byte[] w = window;
    int chainLength = prevLength >= GOOD_MATCH ? MAX_CHAIN >> 2 : MAX_CHAIN;
    int scan = strStart;
    int bestLen = prevLength;
    int niceMatch = Math.min(NICE_MATCH, lookahead);
    byte scanEnd1 = w[scan + bestLen - 1];
    byte scanEnd = w[scan + bestLen];
    do {
      int match = curMatch;
      if (w[match + bestLen] != scanEnd || w[match + bestLen - 1] != scanEnd1
          || w[match] != w[scan] || w[match + 1] != w[scan + 1]) {
        continue;
      }
      // Byte 2 is equal when bytes 0 and 1 are, since their 3-byte hashes are (zlib relies on this too).
      int len = MIN_MATCH;
      while (len < MAX_MATCH && w[scan + len] == w[match + len]) {
        len++;
      }
      if (len > bestLen) {
        matchStart = curMatch;
        bestLen = len;
        if (len >= niceMatch) {
          break;
        }
        scanEnd1 = w[scan + bestLen - 1];
        scanEnd = w[scan + bestLen];
      }
    } while ((curMatch = prev[curMatch]) > 0 && --chainLength != 0);
    return Math.min(bestLen, lookahead);
  }

  private void tallyLiteral(int literal) {
    symbolDistance[symbols] = 0;
    symbolLength[symbols++] = literal;
    literalFreq[literal]++;
    fixedBits += STATIC_LTREE_LEN[literal];
  }

  private void tallyMatch(int distance, int lengthMinus3) {
    symbolDistance[symbols] = distance;
    symbolLength[symbols++] = lengthMinus3;
    int lengthCode = LENGTH_CODE[lengthMinus3];
    int distanceCode = distanceCode(distance - 1);
    literalFreq[lengthCode + LITERALS + 1]++;
    distanceFreq[distanceCode]++;
    int extra = EXTRA_LBITS[lengthCode] + EXTRA_DBITS[distanceCode];
    extraBits += extra;
    fixedBits += STATIC_LTREE_LEN[lengthCode + LITERALS + 1] + STATIC_DTREE_LEN + extra;
  }

  private static int distanceCode(int distanceMinus1) {
    return distanceMinus1 < 256 ? DIST_CODE[distanceMinus1] : DIST_CODE[256 + (distanceMinus1 >>> 7)];
  }

  /**
   * A lower bound of zlib's opt_len, the dynamic block's size in bits (trees.c, build_tree, gen_bitlen and
   * build_bl_tree), each part no larger than zlib's:
   * <ul>
   *   <li>the symbols at the optimal Huffman cost of their counts (zlib's lengths are optimal, or longer where
   *       capped at 15 bits), plus their extra bits;</li>
   *   <li>the code lengths as zlib run-length codes them, where only which codes are used is known: each run
   *       of unused codes is coded exactly; each run of used ones takes at least its fewest symbols, and at least
   *       its fewest symbols plus extra bits. Those symbols cost at least the optimal Huffman cost of their
   *       counts with all non-zero lengths counted as one symbol (merging symbols never makes a code cheaper,
   *       and each further symbol costs a bit or more), plus the extra bits;</li>
   *   <li>the header: 5 + 5 + 4 bits and 3 bits per bit-length code sent, up to the last one used. A tree of k
   *       codes has a length of at most log2(k) (Kraft), and the rank that length is sent at is a lower bound
   *       of the ranks sent.</li>
   * </ul>
   */
  private long leastDynamicBits() {
    literalCodes.find(literalFreq);
    distanceCodes.find(distanceFreq);
    long bits = optimalCost(literalFreq, literalCodes) + optimalCost(distanceFreq, distanceCodes) + extraBits;
    Arrays.fill(runs, 0);
    literalCodes.countRuns(runs);
    distanceCodes.countRuns(runs);
    bits += optimalCost(runs, 4) + 3L * runs[1] + 7L * runs[2] + runs[4];
    int lastRank = Math.max(3, Math.max(SEND_RANK_OF_LENGTH[Math.min(8, log2(literalCodes.codes))],
        SEND_RANK_OF_LENGTH[Math.min(8, log2(distanceCodes.codes))]));
    return bits + 5 + 5 + 4 + 3L * (lastRank + 1);
  }

  private static int log2(int value) {
    return 31 - Integer.numberOfLeadingZeros(value);
  }

  /**
   * The optimal (Huffman) cost of coding the used codes at their counts, one bit each when there is only one,
   * as zlib's dummy code gives.
   */
  private long optimalCost(int[] freq, UsedCodes used) {
    // The counts in ascending order: counted by value (they are small), larger ones sorted apart. zlib's
    // dummy codes have a count of 0 here and are left out: huffmanCost gives one code its one bit.
    Arrays.fill(freqCount, 0);
    int large = used.real;
    long[] bits = used.bits;
    for (int w = 0; w < bits.length; w++) {
      for (long word = bits[w]; word != 0; word &= word - 1) {
        int f = freq[w << 6 | Long.numberOfTrailingZeros(word)];
        if (f < freqCount.length) {
          freqCount[f]++;
        } else {
          sortedFreq[--large] = f;
        }
      }
    }
    int count = 0;
    for (int f = 1; f < freqCount.length; f++) {
      for (int k = freqCount[f]; k > 0; k--) {
        sortedFreq[count++] = f;
      }
    }
    Arrays.sort(sortedFreq, large, used.real);
    return huffmanCost(sortedFreq, used.real);
  }

  private long optimalCost(int[] counts, int symbols) {
    int count = 0;
    for (int i = 0; i < symbols; i++) {
      if (counts[i] != 0) {
        sortedFreq[count++] = counts[i];
      }
    }
    Arrays.sort(sortedFreq, 0, count);
    return huffmanCost(sortedFreq, count);
  }

  /** Two queues over counts in ascending order, leaves and merged nodes: the sum of all merged nodes. */
  private long huffmanCost(int[] ascending, int count) {
    if (count < 2) {
      return count == 0 ? 0 : ascending[0];
    }
    long[] nodes = merged;
    int leaf = 0;
    int first = 0;
    int last = 0;
    long cost = 0;
    for (int k = 1; k < count; k++) {
      long a = leaf < count && (first == last || ascending[leaf] <= nodes[first]) ? ascending[leaf++] : nodes[first++];
      long b = leaf < count && (first == last || ascending[leaf] <= nodes[first]) ? ascending[leaf++] : nodes[first++];
      cost += a + b;
      nodes[last++] = a + b;
    }
    return cost;
  }

  /** The codes of one tree with a non-zero count, as a bit set, and the dummy codes zlib's build_tree adds. */
  private static final class UsedCodes {
    final long[] bits;
    /** Codes of non-zero count; codes with the dummies; the highest code. */
    int real;
    int codes;
    int maxCode;

    UsedCodes(int elems) {
      bits = new long[(elems + 2 + 63) / 64];
    }

    void find(int[] freq) {
      Arrays.fill(bits, 0);
      for (int n = 0; n < freq.length; n++) {
        bits[n >>> 6] |= (long) ((freq[n] | -freq[n]) >>> 31) << n; // counts are never negative
      }
      real = 0;
      maxCode = -1;
      for (int w = 0; w < bits.length; w++) {
        real += Long.bitCount(bits[w]);
        if (bits[w] != 0) {
          maxCode = w << 6 | 63 - Long.numberOfLeadingZeros(bits[w]);
        }
      }
      // At least two codes, as zlib adds them (then of count 1).
      for (codes = real; codes < 2; codes++) {
        int node = maxCode < 2 ? ++maxCode : 0;
        bits[node >>> 6] |= 1L << node;
      }
    }

    /**
     * scan_tree over the codes up to maxCode; adds to {@code runs}: [0] zero lengths sent one by one,
     * [1] REPZ_3_10 and [2] REPZ_11_138 symbols, [3] the fewest symbols the non-zero lengths can take, [4] the
     * fewest extra bits of REP_3_6 symbols beyond that (see leastDynamicBits).
     */
    void countRuns(int[] runs) {
      int end = maxCode + 1;
      int n = 0;
      while (n < end) {
        boolean used = (bits[n >>> 6] & 1L << n) != 0;
        int next = Math.min(end, used ? next(n, -1L) : next(n, 0));
        int run = next - n;
        n = next;
        if (used) {
          // The first length is sent as itself; each later one too, or 3 to 6 of them as one REP_3_6 with 2
          // extra bits. Fewest symbols: REP_3_6 wherever it can go. Fewest symbols plus extra bits: REP_3_6
          // for each 6, and for a rest of 3 to 5. Any coding of the run has at least both.
          int rest = run - 1;
          int fewestSymbols = 1 + (rest < 3 ? rest : (rest + 5) / 6);
          int fewestSymbolsAndBits = 1 + 3 * (rest / 6) + Math.min(3, rest % 6);
          runs[3] += fewestSymbols;
          runs[4] += fewestSymbolsAndBits - fewestSymbols;
        } else {
          for (; run >= 138; run -= 138) {
            runs[2]++;
          }
          if (run >= 11) {
            runs[2]++;
          } else if (run >= 3) {
            runs[1]++;
          } else {
            runs[0] += run;
          }
        }
      }
    }

    /** The first position from {@code from} whose bit differs from the bits of {@code same} (0 or -1). */
    private int next(int from, long same) {
      int w = from >>> 6;
      long word = (bits[w] ^ same) & -1L << from;
      while (word == 0) {
        if (++w == bits.length) {
          return w << 6;
        }
        word = bits[w] ^ same;
      }
      return w << 6 | Long.numberOfTrailingZeros(word);
    }
  }

  /** compress_block with the fixed codes. */
  private void sendSymbols() {
    for (int i = 0; i < symbols; i++) {
      int distance = symbolDistance[i];
      int lc = symbolLength[i];
      if (distance == 0) {
        sendBits(STATIC_LTREE_CODE[lc], STATIC_LTREE_LEN[lc]);
        continue;
      }
      int code = LENGTH_CODE[lc];
      sendBits(STATIC_LTREE_CODE[code + LITERALS + 1], STATIC_LTREE_LEN[code + LITERALS + 1]);
      int extra = EXTRA_LBITS[code];
      if (extra != 0) {
        sendBits(lc - BASE_LENGTH[code], extra);
      }
      distance--;
      code = distanceCode(distance);
      sendBits(STATIC_DTREE_CODE[code], STATIC_DTREE_LEN);
      extra = EXTRA_DBITS[code];
      if (extra != 0) {
        sendBits(distance - BASE_DIST[code], extra);
      }
    }
    sendBits(STATIC_LTREE_CODE[END_BLOCK], STATIC_LTREE_LEN[END_BLOCK]);
  }

  /** Appends the low {@code length} bits of {@code value}, least significant first. */
  private void sendBits(int value, int length) {
    bitBuffer |= (long) value << bitCount;
    bitCount += length;
    if (bitCount >= 32) {
      int word = (int) bitBuffer;
      output[outputLength++] = (byte) word;
      output[outputLength++] = (byte) (word >>> 8);
      output[outputLength++] = (byte) (word >>> 16);
      output[outputLength++] = (byte) (word >>> 24);
      bitBuffer >>>= 32;
      bitCount -= 32;
    }
  }

  /** bi_windup: the pending bits, zero-padded to a whole byte. */
  private void alignToByte() {
    while (bitCount > 0) {
      output[outputLength++] = (byte) bitBuffer;
      bitBuffer >>>= 8;
      bitCount -= 8;
    }
    bitBuffer = 0;
    bitCount = 0;
  }

  private static int reverse(int code, int length) {
    return Integer.reverse(code) >>> (32 - length);
  }

  private static int adler32(byte[] data, int length) {
    // At most MAX_INPUT bytes: the sums fit a long without an intermediate modulo.
    long a = 1;
    long b = 0;
    for (int i = 0; i < length; i++) {
      a += data[i] & 0xFF;
      b += a;
    }
    return (int) ((b % 65521) << 16 | (a % 65521));
  }

  /**
   * Compresses token-shaped samples (random signature and salt bytes, a hex app id, repeated expiry times, short
   * names) both ways. Another zlib build (zlib-ng, say) may choose other matches; then the fast path stays off.
   */
  private static boolean platformAgrees() {
    TokenDeflater fast = new TokenDeflater(true);
    TokenDeflater zlib = new TokenDeflater(false);
    Random random = new Random(2024);
    byte[] sample = new byte[MAX_INPUT];
    for (int round = 0; round < 64; round++) {
      int length = tokenShaped(random, sample, round);
      int fastLength = fast.deflate(sample, length);
      byte[] fastBytes = Arrays.copyOf(fast.output(), fastLength);
      int zlibLength = zlib.deflate(sample, length);
      if (!Arrays.equals(fastBytes, 0, fastLength, zlib.output(), 0, zlibLength)) {
        return false;
      }
    }
    return fast.fastCount > 0;
  }

  private static int tokenShaped(Random random, byte[] sample, int round) {
    int n = 0;
    sample[n++] = 32;
    sample[n++] = 0;
    for (int i = 0; i < 32; i++) {
      sample[n++] = (byte) random.nextInt(256);
    }
    sample[n++] = 32;
    sample[n++] = 0;
    for (int i = 0; i < 32; i++) {
      sample[n++] = (byte) "0123456789abcdef".charAt(random.nextInt(16));
    }
    int expire = 60 + random.nextInt(86_400);
    for (int i = 0; i < 12; i++) {
      sample[n++] = (byte) (i < 4 ? random.nextInt(256) : i < 8 ? expire >> (8 * (i - 4)) : random.nextInt(256));
    }
    int privileges = 1 + round % 4;
    for (int p = 1; p <= privileges; p++) {
      sample[n++] = (byte) p;
      sample[n++] = 0;
      for (int i = 0; i < 4; i++) {
        sample[n++] = (byte) (expire >> (8 * i));
      }
    }
    for (int field = 0; field < 2; field++) {
      int length = 1 + random.nextInt(round % 8 == 7 ? 64 : 12);
      sample[n++] = (byte) length;
      sample[n++] = 0;
      for (int i = 0; i < length; i++) {
        sample[n++] = (byte) ('a' + random.nextInt(26));
      }
    }
    return n;
  }
}
