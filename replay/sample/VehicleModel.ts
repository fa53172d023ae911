import { seededRandom } from "./seededRandom.js";

/** A body command the driver (or the TCU) issued, for BodyCommand frames. */
export interface BodyCommandEvent {
  timeS: number;
  lock: number;
  trunk: number;
  windowTarget: number;
  windowRequest: number;
}

type Phase = "parked" | "accelerate" | "cruise" | "brake";

const STEP_S = 0.01;
const IDLE_RPM = 800;
/** Engine rpm per km/h in each forward gear (index 1–6). */
const GEAR_RPM_PER_KMH = [0, 110, 68, 48, 37, 30, 25] as const;
const PARKED_S = 12;

/**
 * A plausible car for the sample drive, stepped every 10 ms: it waits parked (door opened and
 * closed, lock and unlock commands), accelerates to a target speed, cruises, brakes to a stop,
 * and starts again. Targets and noise come from the seed, so a seed always gives one drive.
 */
export class VehicleModel {
  timeS = 0;
  speedKmh = 0;
  accelMs2 = 0;
  acceleratorPct = 0;
  brakePct = 0;
  engineRpm = IDLE_RPM;
  engineTorqueNm = 0;
  coolantC = 22;
  gearSelector = 0;
  currentGear = 0;
  doors = [0, 0, 0, 0];
  trunk = 0;
  windowFL = 0;
  windowFR = 0;
  locked = 1;
  stateOfCharge = 82;
  packCurrentA = 0;
  /** Commands issued since the caller last took them. */
  readonly commands: BodyCommandEvent[] = [];

  private phase: Phase = "parked";
  private phaseStartS = 0;
  private cycle = 0;
  private targetKmh = 0;
  private cruiseS = 0;
  private pedalPct = 0;
  private windowTarget = 0;
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Steps the model until its time reaches `timeS`. */
  advanceTo(timeS: number): void {
    while (this.timeS + STEP_S <= timeS) {
      this.timeS += STEP_S;
      this.step();
    }
  }

  /** Zero-mean noise of the given amplitude. */
  noise(amplitude: number): number {
    return (this.random() * 2 - 1) * amplitude;
  }

  private step(): void {
    const inPhase = this.timeS - this.phaseStartS;
    switch (this.phase) {
      case "parked":
        this.parked(inPhase);
        break;
      case "accelerate":
        this.accelerate();
        break;
      case "cruise":
        this.cruise(inPhase);
        break;
      case "brake":
        this.brake();
        break;
    }
    this.powertrain();
    this.moveWindows();
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.phaseStartS = this.timeS;
  }

  private parked(inPhase: number): void {
    this.acceleratorPct = 0;
    this.brakePct = 30;
    this.accelMs2 = 0;
    this.speedKmh = 0;
    this.gearSelector = inPhase < PARKED_S - 1 ? 0 : 3;
    this.parkedScript(inPhase);
    if (inPhase >= PARKED_S) this.startCycle();
  }

  /** What happens around the car while it stands, second by second. */
  private parkedScript(inPhase: number): void {
    const at = (s: number): boolean => inPhase >= s && inPhase - STEP_S < s;
    if (at(1)) this.command({ lock: 2 });
    if (at(1.5)) this.locked = 0;
    if (at(3)) this.doors[0] = 1;
    if (at(7)) this.doors[0] = 0;
    if (this.cycle % 2 === 1 && at(4)) this.command({ trunk: 1 });
    if (this.cycle % 2 === 1 && at(4.5)) this.trunk = 1;
    if (this.cycle % 2 === 1 && at(8)) this.command({ trunk: 2 });
    if (this.cycle % 2 === 1 && at(8.5)) this.trunk = 0;
    if (at(5)) this.command({ window: this.cycle % 2 === 0 ? 60 : 0 });
    if (at(10)) this.command({ lock: 1 });
    if (at(10.5)) this.locked = 1;
  }

  private startCycle(): void {
    this.cycle++;
    this.targetKmh = 40 + this.random() * 70;
    this.cruiseS = 15 + this.random() * 25;
    this.pedalPct = 35 + this.random() * 30;
    this.enter("accelerate");
  }

  private accelerate(): void {
    this.brakePct = 0;
    this.acceleratorPct = this.pedalPct + this.noise(1.5);
    // Acceleration falls off towards the target, as drag and shifts would make it.
    const headroom = Math.max(0, 1 - this.speedKmh / (this.targetKmh * 1.05));
    this.accelMs2 = (this.acceleratorPct / 100) * 4.5 * headroom + 0.1;
    if (this.speedKmh >= this.targetKmh) this.enter("cruise");
    this.integrate();
  }

  private cruise(inPhase: number): void {
    this.acceleratorPct = 18 + this.targetKmh / 10 + this.noise(1);
    this.brakePct = 0;
    this.accelMs2 = (this.targetKmh - this.speedKmh) * 0.05 + this.noise(0.05);
    if (inPhase >= this.cruiseS) this.enter("brake");
    this.integrate();
  }

  private brake(): void {
    this.acceleratorPct = 0;
    this.brakePct = Math.min(60, 25 + (this.timeS - this.phaseStartS) * 4);
    this.accelMs2 = -this.brakePct * 0.08;
    this.integrate();
    if (this.speedKmh <= 0) {
      this.speedKmh = 0;
      this.enter("parked");
    }
  }

  private integrate(): void {
    this.speedKmh = Math.max(0, this.speedKmh + this.accelMs2 * 3.6 * STEP_S);
  }

  private powertrain(): void {
    const moving = this.gearSelector === 3 && this.speedKmh > 0.5;
    this.currentGear = moving ? gearFor(this.speedKmh) : 0;
    const ratio = GEAR_RPM_PER_KMH[this.currentGear as 0] ?? 0;
    this.engineRpm = Math.max(IDLE_RPM, this.speedKmh * ratio) + this.noise(15);
    this.engineTorqueNm = this.acceleratorPct * 2.6 - (this.brakePct > 0 ? 15 : 0);
    this.coolantC += (90 - this.coolantC) * STEP_S / 120;
    this.packCurrentA = this.engineTorqueNm * 0.6 + 4;
    this.stateOfCharge = Math.max(5, this.stateOfCharge - this.packCurrentA * STEP_S * 2e-5);
  }

  private moveWindows(): void {
    const travel = 20 * STEP_S;
    const delta = Math.max(-travel, Math.min(travel, this.windowTarget - this.windowFL));
    this.windowFL += delta;
  }

  private command(request: { lock?: number; trunk?: number; window?: number }): void {
    if (request.window !== undefined) this.windowTarget = request.window;
    this.commands.push({
      timeS: this.timeS,
      lock: request.lock ?? 0,
      trunk: request.trunk ?? 0,
      windowTarget: request.window ?? 0,
      windowRequest: request.window === undefined ? 0 : 1,
    });
  }
}

function gearFor(speedKmh: number): number {
  const bands = [0, 18, 35, 55, 75, 95];
  let gear = 1;
  while (gear < 6 && speedKmh >= (bands[gear] as number)) gear++;
  return gear;
}
