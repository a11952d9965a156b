/// <reference types="long" />
import { R as RawImage, B as BinaryMask } from './types.js';

type DatasetFormat = 'mvtec' | 'btad' | 'visa' | 'ksdd2' | 'folder';
type SplitName = 'train' | 'validation' | 'test';
/** What listing a dataset finds about one image, before anything is decoded. */
interface SampleInfo {
    /** Absolute path of the image file. */
    path: string;
    /** 0 = normal, 1 = anomalous. */
    label: 0 | 1;
    /** The class folder the image came from ('good', 'ok', 'cut', 'ko', …), as named on disk. */
    defectType: string;
    /** Absolute path of the ground-truth mask; absent for normal images and for unannotated anomalies. */
    maskPath?: string;
}
/** One image of a dataset with lazy decoding: nothing is read until `image()` / `mask()` is called. */
interface Sample extends SampleInfo {
    /** uint8 RGB, 3 channels (see `decodeImageNode`). */
    image(): Promise<RawImage>;
    /**
     * The ground truth as 0/1: the decoded mask file when there is one, all zeros at the image's size
     * for normal images, undefined for an anomalous image without annotation (folder datasets only,
     * or `allowMissingMasks`).
     */
    mask(): Promise<BinaryMask | undefined>;
}
interface SplitSummary {
    total: number;
    normal: number;
    anomalous: number;
    /** Anomalous images that have a mask file. */
    masked: number;
    /** Image count per class folder name, normal classes included. */
    byDefect: Record<string, number>;
}
interface DatasetSummary {
    format: DatasetFormat;
    root: string;
    category?: string;
    train: SplitSummary;
    test: SplitSummary;
    /** Present only when the layout has a validation split (e.g. MVTec 3D-AD's `validation/good`). */
    validation?: SplitSummary;
}
interface Dataset {
    readonly format: DatasetFormat;
    /** Absolute folder the samples were found in (the category folder for the class-folder layouts). */
    readonly root: string;
    readonly category?: string;
    /** Counts from listing the folders; nothing was decoded to produce it. */
    readonly summary: DatasetSummary;
    readonly splits: readonly SplitName[];
    /** The split's samples as lazy handles, in natural file order: for shuffling or random access. */
    samples(split: SplitName): readonly Sample[];
    train(): AsyncIterable<Sample>;
    test(): AsyncIterable<Sample>;
    /** Only on datasets that have a validation split. */
    validation?(): AsyncIterable<Sample>;
}
interface CommonDatasetOptions {
    /** Image file extensions to pick up (case-insensitive, with or without the dot). Default: png, jpg, jpeg, bmp, tif, tiff, webp, gif. */
    extensions?: string[];
    /** Accept anomalous images without a mask file (their `mask()` resolves to undefined) instead of failing. */
    allowMissingMasks?: boolean;
    /** Mask pixels above this value are foreground. Default 127 (0/255 masks); VisA defaults to 0 (its masks hold class indices). */
    maskThreshold?: number;
}
/** MVTec AD, BTAD, VisA (1-class split) and reorganised KolektorSDD2: class folders under train/, test/, ground_truth/. */
interface LayoutDatasetOptions extends CommonDatasetOptions {
    format: 'mvtec' | 'btad' | 'visa' | 'ksdd2';
    /** The folder holding the categories (or the category folder itself when `category` is omitted). */
    root: string;
    /** Category folder under root: 'bottle' (MVTec), '01' (BTAD), 'pcb1' (VisA), the split folder (KSDD2). */
    category?: string;
}
/** Any images in plain folders. */
interface FolderDatasetOptions extends CommonDatasetOptions {
    format: 'folder';
    /** Base for the relative folder paths below (default: the working directory). */
    root?: string;
    /** Normal images for training. */
    normalDir: string;
    /** Anomalous test images. */
    abnormalDir?: string;
    /** Masks for `abnormalDir`, matched by stem: `<stem>_mask.*` first, then `<stem>.*`. */
    maskDir?: string;
    /** Normal images for the test split. */
    normalTestDir?: string;
    /** Normal images for a validation split. */
    validationDir?: string;
    /**
     * Fraction (0..1) of `normalDir` moved to the test split as normal examples, picked evenly
     * spaced through the sorted list so the choice is deterministic. Default 0.
     */
    holdOutNormal?: number;
    /**
     * Explicit file lists used instead of listing the folders (names relative to the matching folder,
     * or absolute paths), kept in the order given.
     */
    files?: {
        normal?: string[];
        abnormal?: string[];
        normalTest?: string[];
        validation?: string[];
    };
}
type OpenDatasetOptions = LayoutDatasetOptions | FolderDatasetOptions;

declare function openDataset(options: OpenDatasetOptions): Promise<Dataset>;

interface DecodeOptions {
    /** Used in error messages when `input` is bytes (paths name themselves). */
    name?: string;
}
/** Decodes a file path or encoded bytes to uint8 RGB (3 channels); see the module comment. */
declare function decodeImageNode(input: string | Uint8Array, options?: DecodeOptions): Promise<RawImage>;
interface MaskDecodeOptions extends DecodeOptions {
    /**
     * A pixel is foreground when its value is above this (default 127, for 0/255 masks). VisA's masks
     * store small class indices (0, 1, 2…), so its loader passes 0.
     */
    threshold?: number;
}
/**
 * Decodes a mask file to 0/1. Colour masks count a pixel as foreground when any colour channel is
 * above the threshold, so red-on-black annotations work as well as grey ones.
 */
declare function decodeMaskNode(input: string | Uint8Array, options?: MaskDecodeOptions): Promise<BinaryMask>;
/** Width and height from the file header only (no pixel decoding), matching what the decoders return. */
declare function imageSizeNode(input: string | Uint8Array, options?: DecodeOptions): Promise<{
    width: number;
    height: number;
}>;
/**
 * Encodes to PNG with sharp: 1 channel → greyscale PNG, 3 → RGB, 4 → RGBA. Float data (0..255) is
 * rounded and clamped.
 */
declare function encodePngNode(img: RawImage): Promise<Uint8Array>;

/**
 * Where the download cache holds the file a weights spec (`hf:` id or URL) resolves to, if it is
 * there and not empty; undefined otherwise (also for local paths). Node only.
 */
declare function cachedFilePath(spec: string): Promise<string | undefined>;

export { type Dataset, type OpenDatasetOptions, type Sample, cachedFilePath, decodeImageNode, decodeMaskNode, encodePngNode, imageSizeNode, openDataset };
