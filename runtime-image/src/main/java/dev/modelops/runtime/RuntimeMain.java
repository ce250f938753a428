package dev.modelops.runtime;

import dev.modelops.runtime.drift.BaselineCommand;
import dev.modelops.runtime.model.FetchCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import sun.misc.Signal;

/**
 * One image, three commands: {@code serve} (the default) runs the V2 server; {@code fetch} is the
 * operator's init step, which downloads and verifies a model and exits without starting a server;
 * {@code baseline} describes training data as the baseline that drift is measured against.
 *
 * <p>SIGTERM, how Kubernetes stops a container, is a normal exit here: Quarkus' graceful shutdown
 * (see {@code Drain}), then exit code 0. Left to the JVM, the same shutdown would end with 143,
 * which the pod's status reports as an error.
 */
@QuarkusMain
public class RuntimeMain {

  public static void main(String... args) {
    if (args.length > 0 && args[0].equals("fetch")) {
      System.exit(
          FetchCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    if (args.length > 0 && args[0].equals("baseline")) {
      System.exit(BaselineCommand.run(Arrays.copyOfRange(args, 1, args.length), System.err));
    }
    Signal.handle(new Signal("TERM"), signal -> Quarkus.asyncExit(0));
    Quarkus.run(args);
  }
}
