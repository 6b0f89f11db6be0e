import java.nio.*; import java.nio.channels.*; import java.nio.file.*;
public class Sync2 {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    for (int round = 0; round < 3; round++)
    for (String mode : new String[]{"append","prealloc","inplace", "append+hdr", "prealloc+hdr"}) {
      Path p = Path.of("/tmp/fs/g-" + mode.replace('+','_'));
      Files.deleteIfExists(p);
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        for (int i=0;i<2;i++){ b.clear(); ch.write(b, i*8192L);} 
        if (mode.startsWith("prealloc")) { ByteBuffer z = ByteBuffer.allocate(1<<20); ch.write(z, 16384); }
        ch.force(true);
        boolean hdr = mode.endsWith("hdr");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          b.clear(); b.put(0,(byte)1);
          long pos = mode.equals("inplace") ? 16384 + (i % 64) * 8192L : 16384 + (i % 120) * 8192L;
          if (mode.startsWith("append") && i % 120 == 0 && i > 0) { ch.truncate(16384); }
          ch.write(b, pos);
          if (hdr) { b.clear(); ch.write(b, 0); }
          ch.force(false);
        }
        long t = System.nanoTime() - t0;
        System.out.printf("%-14s %7.1f us/op  %6.0f ops/s%n", mode, t/1e3/n, n*1e9/t);
      }
    }
  }
}
