/** The words VS Code shows for an edit in its undo/redo menus ("Undo Add Object"). */
import * as vscode from 'vscode';
import { AnnotationEdit, describeEdit } from '../shared/annotation';

/** The localized label of a finished user action. */
export function localizedEditLabel(edit: AnnotationEdit): string {
  switch (edit.kind) {
    case 'addObject':
      return vscode.l10n.t('Add Object');
    case 'removeObject':
      return vscode.l10n.t('Delete Object');
    case 'setGeometry':
      return vscode.l10n.t('Edit Polygon');
    case 'setClass':
      return vscode.l10n.t('Change Class');
    case 'setHidden':
      return edit.after ? vscode.l10n.t('Hide Object') : vscode.l10n.t('Show Object');
    case 'setAttribute':
      return vscode.l10n.t('Set Attribute');
    case 'reorder':
      return vscode.l10n.t('Reorder Object');
    case 'replaceAll':
      return vscode.l10n.t('Replace All Objects');
    case 'setReview':
      return edit.after === null ? vscode.l10n.t('Clear Review') : edit.after.status === 'approved' ? vscode.l10n.t('Approve Image') : vscode.l10n.t('Mark Image as Needing a Fix');
    case 'batch':
      return edit.edits.length === 1 ? localizedEditLabel(edit.edits[0]) : describeEdit(edit);
  }
}
