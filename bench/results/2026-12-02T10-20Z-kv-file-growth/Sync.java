import java.nio.*; import java.nio.channels.*; import java.nio.file.*;
public class Sync {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    for (int round = 0; round < 3; round++)
    for (String mode : new String[]{"append-false","append-true","inplace-false","inplace-true"}) {
      Path p = Path.of("/tmp/fs/f-" + mode);
      Files.deleteIfExists(p);
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
        ByteBuffer b = ByteBuffer.allocate(16384);
        boolean inplace = mode.startsWith("inplace"); boolean meta = mode.endsWith("true");
        if (inplace) { for (int i=0;i<64;i++){ b.clear(); ch.write(b, i*16384L);} ch.force(true); }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          b.clear();
          if (inplace) ch.write(b, (i % 64) * 16384L); else ch.write(b);
          ch.force(meta);
        }
        long t = System.nanoTime() - t0;
        System.out.printf("%-14s %7.1f us/op  %6.0f ops/s%n", mode, t/1e3/n, n*1e9/t);
      }
    }
  }
}
