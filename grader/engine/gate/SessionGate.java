package streaminggrader;

import java.io.File;
import java.lang.reflect.Method;
import java.util.regex.Pattern;

import org.sparkproject.connect.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;

/**
 * Lets into the warm engine only the Spark Connect sessions the grader opened, and no code.
 *
 * A session is admitted while a file named by its id exists in the folder the system property
 * {@code streaminggrader.sessions} names; the grader's trusted processes write those files, the
 * engine can only read them. So a submission cannot open sessions of its own (whose queries would
 * outlive its grading), nor clone one, nor reach another student's session without its id. Uploads
 * of artifacts (jars, class files) are refused: they would run the submission's code inside the
 * engine, beside every other grading. A request that asks only for Spark's version is answered for
 * any session: it is how the grader tells a Spark Connect server from another program. Plans that
 * carry Java-serialized objects (Scala UDFs, Scala foreachBatch functions and listeners) are
 * refused too: the server would deserialize whatever bytes they hold.
 */
public final class SessionGate implements ServerInterceptor {
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-fA-F-]{36}");
    // Fields of Spark Connect's protocol whose bytes the server deserializes as Java objects.
    private static final Pattern SERIALIZED_JAVA = Pattern.compile(
        "(?m)^\\s*(scalar_scala_udf|scala_function) \\{|^\\s*listener_payload: ");
    private final File admitted = new File(System.getProperty("streaminggrader.sessions", "/nonexistent"));

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.endsWith("/AddArtifacts") || method.endsWith("/ArtifactStatus")) {
            call.close(Status.PERMISSION_DENIED.withDescription(
                "This engine runs no uploaded code (artifacts, jars): grading uses PySpark only."), new Metadata());
            return new ServerCall.Listener<Q>() {};
        }
        return new SimpleForwardingServerCallListener<Q>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                String problem = refusal(message);
                if (problem != null) {
                    refused = true;
                    call.close(Status.PERMISSION_DENIED.withDescription(problem), new Metadata());
                    return;
                }
                if (!refused) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** Why `message` may not reach the engine, or null when it may. */
    private String refusal(Object message) {
        if (asksOnlyForVersion(message)) {
            return null;
        }
        String session = text(message, "getSessionId");
        if (!admitted(session)) {
            return "This Spark session was not opened by the grader: use the session your code is given.";
        }
        String clone = text(message, "getNewSessionId");
        if (clone != null && !admitted(clone)) {
            return "Sessions are the grader's to open: a session cannot be cloned here.";
        }
        if (SERIALIZED_JAVA.matcher(message.toString()).find()) {
            return "This engine runs no JVM code sent by a client (Scala UDFs, functions or listeners): use PySpark.";
        }
        return null;
    }

    private boolean admitted(String session) {
        return session != null && SESSION_ID.matcher(session).matches() && new File(admitted, session).isFile();
    }

    private static boolean asksOnlyForVersion(Object message) {
        Object asked = call(message, "hasSparkVersion");
        return Boolean.TRUE.equals(asked);
    }

    private static String text(Object message, String getter) {
        Object value = call(message, getter);
        return value instanceof String ? (String) value : null;
    }

    private static Object call(Object target, String name) {
        try {
            Method method = target.getClass().getMethod(name);
            return method.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null;
        }
    }
}
