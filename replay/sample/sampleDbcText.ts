import type { SampleMessage, SampleSignal } from "./SampleMessage.js";
import { SAMPLE_MESSAGES, SAMPLE_VALUE_TABLES } from "./sampleMessages.js";

const NODES = ["ECM", "ESC", "VCU", "TCM", "BMS", "BCM", "TCU"];
const RECEIVER = "TCU";
/** DBC marks a 29-bit identifier by its top bit. */
const DBC_EXTENDED = 0x80000000;
const FRAME_FORMATS = [
  "StandardCAN",
  "ExtendedCAN",
  ...new Array<string>(12).fill("reserved"),
  "StandardCAN_FD",
  "ExtendedCAN_FD",
];

/**
 * The DBC that describes the sample drive, rendered from the same definitions that produce its
 * frames, so the two cannot drift apart. config/dbc/roadrig-sample.dbc holds its output.
 */
export function sampleDbcText(): string {
  return [
    'VERSION "roadrig-sample 1"',
    "",
    "NS_ :\n\tCM_\n\tBA_DEF_\n\tBA_\n\tVAL_\n\tBA_DEF_DEF_\n\tVAL_TABLE_",
    "",
    "BS_:",
    "",
    `BU_: ${NODES.join(" ")}`,
    "",
    ...Object.entries(SAMPLE_VALUE_TABLES).map(([name, t]) => `VAL_TABLE_ ${name}${values(t)} ;`),
    "",
    ...SAMPLE_MESSAGES.flatMap((m) => [...messageLines(m), ""]),
    ...SAMPLE_MESSAGES.flatMap(commentLines),
    ...attributeLines(),
    ...SAMPLE_MESSAGES.flatMap(valueLines),
    "",
  ].join("\n");
}

function dbcId(message: SampleMessage): number {
  return message.extended ? (message.id | DBC_EXTENDED) >>> 0 : message.id;
}

function messageLines(message: SampleMessage): string[] {
  return [
    `BO_ ${dbcId(message)} ${message.name}: ${message.length} ${message.sender}`,
    ...message.signals.map(signalLine),
  ];
}

function signalLine(s: SampleSignal): string {
  const layout = `${s.startBit}|${s.length}@1${s.signed ? "-" : "+"}`;
  const scaling = `(${s.factor},${s.offset}) [${s.min}|${s.max}]`;
  return ` SG_ ${s.name} : ${layout} ${scaling} "${s.unit}" ${RECEIVER}`;
}

function commentLines(message: SampleMessage): string[] {
  return [
    `CM_ BO_ ${dbcId(message)} "${message.comment}";`,
    ...message.signals
      .filter((s) => s.comment !== undefined)
      .map((s) => `CM_ SG_ ${dbcId(message)} ${s.name} "${s.comment ?? ""}";`),
  ];
}

function attributeLines(): string[] {
  const formats = FRAME_FORMATS.map((f) => `"${f}"`).join(",");
  return [
    'BA_DEF_  "BusType" STRING ;',
    `BA_DEF_ BO_  "VFrameFormat" ENUM  ${formats};`,
    'BA_DEF_ BO_  "CANFD_BRS" ENUM  "0","1";',
    'BA_DEF_ BO_  "GenMsgCycleTime" INT 0 10000;',
    'BA_DEF_DEF_  "BusType" "CAN";',
    'BA_DEF_DEF_  "VFrameFormat" "StandardCAN";',
    'BA_DEF_DEF_  "CANFD_BRS" "1";',
    'BA_DEF_DEF_  "GenMsgCycleTime" 0;',
    'BA_ "BusType" "CAN FD";',
    ...SAMPLE_MESSAGES.flatMap((m) => [
      `BA_ "VFrameFormat" BO_ ${dbcId(m)} ${frameFormat(m)};`,
      ...(m.periodMs > 0 ? [`BA_ "GenMsgCycleTime" BO_ ${dbcId(m)} ${m.periodMs};`] : []),
    ]),
  ];
}

function frameFormat(message: SampleMessage): number {
  if (message.fd) return message.extended ? 15 : 14;
  return message.extended ? 1 : 0;
}

function valueLines(message: SampleMessage): string[] {
  return message.signals
    .filter((s) => s.values !== undefined)
    .map((s) => {
      const table = SAMPLE_VALUE_TABLES[s.values ?? ""] ?? {};
      return `VAL_ ${dbcId(message)} ${s.name}${values(table)} ;`;
    });
}

function values(table: Readonly<Record<number, string>>): string {
  return Object.entries(table)
    .sort((a, b) => Number(b[0]) - Number(a[0]))
    .map(([raw, text]) => ` ${raw} "${text}"`)
    .join("");
}
