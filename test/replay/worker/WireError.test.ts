import { describe, expect, it } from "vitest";
import { FormatError, UnsupportedError } from "../../../replay/formats/FormatError.js";
import { errorFromWire, errorToWire } from "../../../replay/worker/WireError.js";

/** Through structured clone, as a worker message goes. */
const across = (err: unknown) => errorFromWire(structuredClone(errorToWire(err)));

describe("errors from the read worker", () => {
  it("come back as FormatErrors with the same file, record, offset and message", () => {
    const original = new FormatError("drive.mf4", "##DT", 4096, "expected ##DT, found ##XX");
    const back = across(original);
    expect(back).toBeInstanceOf(FormatError);
    expect(back).toMatchObject({
      file: "drive.mf4", where: "##DT", offset: 4096, detail: "expected ##DT, found ##XX",
      message: original.message, name: "FormatError", code: "E_FORMAT",
    });
  });

  it("keep an UnsupportedError's class and its message unchanged", () => {
    const original = new UnsupportedError("a.mf4", "##CG", 64, "VLSD channel groups");
    const back = across(original);
    expect(back).toBeInstanceOf(UnsupportedError);
    expect(back.message).toBe(original.message);
    expect((back as UnsupportedError).code).toBe("E_UNSUPPORTED");
  });

  it("keep a system error's name, message and code", () => {
    const original = Object.assign(new Error("ENOENT: no such file, open 'x.log'"), {
      code: "ENOENT", errno: -2, path: "x.log",
    });
    const back = across(original);
    expect(back).not.toBeInstanceOf(FormatError);
    expect(back).toMatchObject({ message: original.message, code: "ENOENT", errno: -2 });
  });

  it("keep a subclass's name and code when this side rebuilds only its FormatError", () => {
    class DbcLikeError extends FormatError {
      override readonly code = "E_DBC";
      constructor() {
        super("a.dbc", "line 3", -1, "expected BO_, found XX");
        this.name = "DbcLikeError";
      }
    }
    const back = across(new DbcLikeError());
    expect(back).toBeInstanceOf(FormatError);
    expect(back).toMatchObject({ name: "DbcLikeError", code: "E_DBC", where: "line 3" });
  });

  it("turn a thrown non-error into an error with its text", () => {
    expect(across("gone").message).toBe("gone");
  });
});
