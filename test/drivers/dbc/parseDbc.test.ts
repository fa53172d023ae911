import { describe, expect, it } from "vitest";
import { DbcSyntaxError, parseDbc } from "../../../drivers/dbc/index.js";

const HEADER = 'VERSION "1.0"\n\nNS_ :\n\tCM_\n\tBA_DEF_\n\nBS_:\n\nBU_: ECU GW\n\n';

function syntaxErrorOf(text: string): DbcSyntaxError {
  try {
    parseDbc(text, { file: "bad.dbc" });
  } catch (err) {
    if (err instanceof DbcSyntaxError) return err;
    throw err;
  }
  throw new Error("parsed without error");
}

describe("parseDbc syntax errors", () => {
  it("names the line, column and what was expected", () => {
    const err = syntaxErrorOf(`${HEADER}BO_ 100 Msg 8 ECU\n`);
    expect(err.line).toBe(11);
    expect(err.column).toBe(13);
    expect(err.expected).toBe("':'");
    expect(err.found).toBe("'8'");
    expect(err.message).toBe("bad.dbc: line 11, column 13: expected ':', found '8'");
  });

  it("reports a bad byte order inside a signal", () => {
    const err = syntaxErrorOf(`${HEADER}BO_ 100 Msg: 8 ECU\n SG_ A : 0|8@2+ (1,0) [0|0] "" GW\n`);
    expect([err.line, err.column, err.expected]).toEqual([12, 14, "byte order 0 or 1"]);
  });

  it("reports a string that never ends", () => {
    const err = syntaxErrorOf(`${HEADER}CM_ BU_ ECU "no end;\n`);
    expect(err.expected).toBe(`a closing '"'`);
    expect(err.found).toBe("the end of the file");
    expect([err.line, err.column]).toEqual([11, 13]);
  });

  it("counts lines and columns across a string that spans lines", () => {
    const err = syntaxErrorOf(`${HEADER}CM_ BU_ ECU "one\ntwo \\"quoted\\"" x;\n`);
    expect([err.line, err.column, err.expected, err.found]).toEqual([12, 17, "';'", "'x'"]);
  });

  it("reports an unknown keyword", () => {
    const err = syntaxErrorOf(`${HEADER}BOGUS_ 1 2;\n`);
    expect([err.line, err.column, err.expected, err.found]).toEqual([
      11, 1, "a DBC keyword", "'BOGUS_'",
    ]);
  });

  it("reports a bad multiplexer indicator", () => {
    const err = syntaxErrorOf(`${HEADER}BO_ 1 M: 8 ECU\n SG_ A x3 : 0|8@1+ (1,0) [0|0] "" GW\n`);
    expect(err.expected).toMatch(/multiplexer indicator/);
    expect(err.found).toBe("'x3'");
  });
});

describe("parseDbc text encodings", () => {
  const text = `${HEADER}BO_ 1 Temp: 1 ECU\n SG_ T : 0|8@1- (1,-40) [-40|215] "°C" GW\n`;

  it("reads cp1252 bytes", () => {
    const dbc = parseDbc(Buffer.from(text, "latin1"));
    expect(dbc.signalsOf("Temp")[0]?.unit).toBe("°C");
  });

  it("reads UTF-8 bytes", () => {
    const dbc = parseDbc(Buffer.from(text, "utf8"));
    expect(dbc.signalsOf("Temp")[0]?.unit).toBe("°C");
  });

  it("reads cp1252's own characters above 0x7F", () => {
    const bytes = Buffer.from(`${HEADER}CM_ BU_ ECU "x";\n`, "latin1");
    bytes[bytes.indexOf("x".charCodeAt(0), HEADER.length)] = 0x80;
    expect(parseDbc(bytes).nodes[0]?.comment).toBe("€");
  });
});

const FULL = `${HEADER}VAL_TABLE_ OnOff 1 "On" 0 "Off" ;

BO_ 291 Body: 8 ECU
 SG_ Door : 0|2@1+ (1,0) [0|3] "" GW,ECU
 SG_ Speed : 15|16@0+ (0.01,0) [0|655.35] "km/h" GW
 SG_ Temp : 24|8@1- (0.5,-10) [-74|53.5] "degC" Vector__XXX

BO_ 2566844926 CCVS1: 8 ECU
 SG_ WheelSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" GW

BO_ 2364540158 EEC1: 8 ECU
 SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm" GW

BO_ 2565799678 TSC1: 8 ECU
 SG_ Mode : 0|2@1+ (1,0) [0|3] "" GW

BO_ 1000 Fd: 64 GW
 SG_ Tail : 496|16@1+ (1,0) [0|0] "" ECU

BO_TX_BU_ 291 : GW,ECU;

CM_ "The network";
CM_ BU_ ECU "Engine control";
CM_ BO_ 291 "Body status";
CM_ SG_ 291 Speed "Vehicle speed
over two lines";
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","reserved","J1939PG",
  "reserved","reserved","reserved","reserved","reserved","reserved","reserved","reserved",
  "reserved","reserved","StandardCAN_FD","ExtendedCAN_FD";
BA_DEF_ SG_ "SPN" INT 0 524287;
BA_DEF_ BU_ "NodeLayerModules" STRING ;
BA_DEF_ "ProtocolType" STRING ;
BA_DEF_ "BusType" STRING ;
BA_DEF_DEF_ "GenMsgCycleTime" 100;
BA_DEF_DEF_ "VFrameFormat" "StandardCAN";
BA_DEF_DEF_ "ProtocolType" "";
BA_ "BusType" "CAN FD";
BA_ "GenMsgCycleTime" BO_ 291 20;
BA_ "VFrameFormat" BO_ 2566844926 3;
BA_ "VFrameFormat" BO_ 2364540158 3;
BA_ "VFrameFormat" BO_ 1000 14;
BA_ "SPN" SG_ 2566844926 WheelSpeed 84;
BA_ "NodeLayerModules" BU_ ECU "CANoeILNLVector.dll";
VAL_ 291 Door 0 "Closed" 1 "Ajar" 2 "Open" ;
`;

describe("parseDbc model", () => {
  const dbc = parseDbc(FULL, { file: "full.dbc" });

  it("reads nodes, messages, senders and receivers", () => {
    expect(dbc.version).toBe("1.0");
    expect(dbc.nodes.map((n) => n.name)).toEqual(["ECU", "GW"]);
    const body = dbc.messageByName("Body");
    expect(body).toMatchObject({ id: 291, extended: false, length: 8, senders: ["ECU", "GW"] });
    expect(body?.signals.map((s) => s.receivers)).toEqual([["GW", "ECU"], ["GW"], []]);
  });

  it("reads every field of a signal", () => {
    expect(dbc.signalsOf("Body")[1]).toMatchObject({
      name: "Speed", index: 1, startBit: 15, length: 16, byteOrder: "big_endian",
      signed: false, valueType: "integer", factor: 0.01, offset: 0, min: 0, max: 655.35,
      unit: "km/h", isMultiplexer: false, fitsMessage: true,
    });
    expect(dbc.signalsOf("Body")[2]).toMatchObject({ signed: true, factor: 0.5, offset: -10 });
  });

  it("keeps comments of the network, nodes, messages and signals", () => {
    expect(dbc.comment).toBe("The network");
    expect(dbc.nodes[0]?.comment).toBe("Engine control");
    expect(dbc.messageByName("Body")?.comment).toBe("Body status");
    expect(dbc.signalsOf("Body")[1]?.comment).toBe("Vehicle speed\nover two lines");
  });

  it("resolves attributes with defaults and ENUM labels", () => {
    const body = dbc.messageByName("Body");
    expect(dbc.attribute(body, "GenMsgCycleTime")).toBe(20);
    expect(dbc.attribute(dbc.messageByName("EEC1"), "GenMsgCycleTime")).toBe(100);
    expect(dbc.attribute(dbc.messageByName("EEC1"), "VFrameFormat")).toBe("J1939PG");
    expect(dbc.attribute(undefined, "BusType")).toBe("CAN FD");
    expect(dbc.attribute(dbc.nodes[0], "NodeLayerModules")).toBe("CANoeILNLVector.dll");
    const wheel = dbc.signalsOf("CCVS1")[0];
    expect(dbc.attribute(wheel, "SPN")).toBe(84);
    expect(dbc.attributeDefinitions.get("VFrameFormat")?.values?.length).toBe(16);
  });

  it("keeps value tables and signal value descriptions", () => {
    expect([...(dbc.valueTables.get("OnOff") ?? [])]).toEqual([[1, "On"], [0, "Off"]]);
    const door = dbc.decode({ id: 291, extended: false, data: new Uint8Array(8).fill(2, 0, 1) });
    expect(door?.signals[0]).toMatchObject({ name: "Door", raw: 2, value: 2, label: "Open" });
  });

  it("decodes Motorola, Intel, signed and scaled signals together", () => {
    const data = Uint8Array.from([0x01, 0x12, 0x34, 0xf6, 0, 0, 0, 0]);
    expect(dbc.decodeValues({ id: 291, extended: false, data })).toEqual({
      Door: 1, Speed: 0x1234 * 0.01, Temp: -10 * 0.5 - 10,
    });
  });

  it("takes the extended flag from bit 31 of the id and matches only extended frames", () => {
    const eec1 = dbc.messageByName("EEC1");
    expect(eec1).toMatchObject({ id: 0x0cf004fe, extended: true, j1939: true });
    expect(dbc.messageById(0x0cf004fe, true)?.name).toBe("EEC1");
    expect(dbc.messageById(0x4fe, false)).toBeUndefined();
  });

  it("marks FD messages by VFrameFormat and decodes up to byte 63", () => {
    const fd = dbc.messageByName("Fd");
    expect(fd).toMatchObject({ fd: true, frameFormat: "StandardCAN_FD", length: 64 });
    const data = new Uint8Array(64);
    data[62] = 0x34;
    data[63] = 0x12;
    expect(dbc.decodeValues({ id: 1000, extended: false, data })).toEqual({ Tail: 0x1234 });
    expect(dbc.decodeValues({ id: 1000, extended: false, data: data.subarray(0, 8) })).toEqual({});
  });

  it("matches J1939 parameter groups by PGN, whatever the source address", () => {
    const data = new Uint8Array(8).fill(0x10);
    expect(dbc.decode({ id: 0x18fef147, extended: true, data })?.message.name).toBe("CCVS1");
    expect(dbc.decode({ id: 0x0cf00400, extended: true, data })?.message.name).toBe("EEC1");
  });

  it("keeps the destination address out of a PDU1 PGN under ProtocolType J1939", () => {
    // PF 0xEE < 240: PS is a destination address, so the PGN is 0xEE00 for any PS.
    const tsc1 = dbc.messageByName("TSC1");
    expect(tsc1?.j1939).toBe(false);
    const j1939 = parseDbc(FULL.replace('"ProtocolType" "";', '"ProtocolType" "J1939";'));
    const data = new Uint8Array(8);
    expect(j1939.decode({ id: 0x18ee_1122, extended: true, data })?.message.name).toBe("TSC1");
    expect(j1939.decode({ id: 0x18ef_1122, extended: true, data })).toBeUndefined();
  });

  it("matches exact ids only when J1939 matching is off", () => {
    const exact = parseDbc(FULL, { j1939: false });
    const data = new Uint8Array(8);
    expect(exact.decode({ id: 0x18fef147, extended: true, data })).toBeUndefined();
    expect(exact.decode({ id: 0x18fef1fe, extended: true, data })?.message.name).toBe("CCVS1");
  });

  it("returns undefined for an unknown id", () => {
    expect(dbc.decode({ id: 0x7ff, extended: false, data: new Uint8Array(8) })).toBeUndefined();
    expect(dbc.decodeInto({ id: 5, extended: true, data: new Uint8Array(8) }, new Float64Array(4)))
      .toBeUndefined();
  });
});

describe("parseDbc leniency", () => {
  it("reads CM_ SG_ without a signal name, and CM_ without an object, as message comments", () => {
    const text = `${HEADER}BO_ 304 A: 8 ECU\nCM_ SG_ 304 "no signal";\nBO_ 272 B: 8 ECU\n` +
      `CM_ 272 "no keyword";\n`;
    const dbc = parseDbc(text);
    expect(dbc.messageByName("A")?.comment).toBe("no signal");
    expect(dbc.messageByName("B")?.comment).toBe("no keyword");
    expect(dbc.warnings).toHaveLength(2);
    expect(dbc.warnings[0]).toMatch(/^line 12, column 13: /);
  });

  it("refuses a standard id wider than 11 bits strictly, reads it as extended leniently", () => {
    const text = `${HEADER}BO_ 274923520 Door: 1 ECU\n SG_ Open : 0|1@1+ (1,0) [0|1] "" GW\n`;
    expect(() => parseDbc(text, { file: "gm.dbc" })).toThrow(
      "gm.dbc: line 11, BO_ Door: standard id 0x10630000 is wider than 11 bits",
    );
    const dbc = parseDbc(text, { strict: false });
    expect(dbc.messageByName("Door")).toMatchObject({ id: 0x10630000, extended: true });
    expect(dbc.warnings).toHaveLength(1);
  });

  it("warns about signals that share bits in one frame, not across multiplexer branches", () => {
    const text = `${HEADER}BO_ 1 A: 8 ECU\n SG_ Word : 0|16@1+ (1,0) [0|0] "" GW\n` +
      ` SG_ Low : 0|8@1+ (1,0) [0|0] "" GW\n SG_ Sel M : 16|8@1+ (1,0) [0|0] "" GW\n` +
      ` SG_ X m1 : 24|8@1+ (1,0) [0|0] "" GW\n SG_ Y m2 : 24|8@1+ (1,0) [0|0] "" GW\n`;
    expect(parseDbc(text).warnings).toEqual(["line 11, BO_ A: signals Word and Low share bits"]);
  });

  it("skips statements roadrig does not use", () => {
    const text = `${HEADER}BO_ 1 A: 8 ECU\n SG_ S : 0|8@1+ (1,0) [0|0] "" GW\n` +
      `SIG_GROUP_ 1 G 1 : S;\nEV_ E: 0 [0|0] "" 0 0 DUMMY_NODE_VECTOR0 Vector__XXX;\n` +
      `BA_DEF_REL_ BU_SG_REL_ "X" INT 0 1;\nVAL_ E 0 "zero" ;\n// a line comment\n`;
    expect(parseDbc(text).messages).toHaveLength(1);
  });
});

describe("parseDbc numbers", () => {
  it("reads exponents, signs and fractions the way generators write them", () => {
    const dbc = parseDbc(
      `${HEADER}BO_ 1 N: 8 ECU\n SG_ A : 0|16@1- (1E-005,-.5) [-3.4E+038|+1.5e2] "" GW\n`,
    );
    expect(dbc.signalsOf("N")[0]).toMatchObject({
      factor: 1e-5, offset: -0.5, min: -3.4e38, max: 150,
    });
  });

  it("reads value descriptions with negative values", () => {
    const dbc = parseDbc(
      `${HEADER}BO_ 1 N: 8 ECU\n SG_ A : 0|8@1- (1,0) [0|0] "" GW\nVAL_ 1 A -1 "SNA" 0 "Zero" ;\n`,
    );
    const decoded = dbc.decode({ id: 1, extended: false, data: Uint8Array.of(0xff) });
    expect(decoded?.signals[0]).toMatchObject({ raw: -1, label: "SNA" });
  });
});
